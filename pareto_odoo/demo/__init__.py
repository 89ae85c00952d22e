from . import pareto_demo
