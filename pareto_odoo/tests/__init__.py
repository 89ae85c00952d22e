from . import test_family
from . import test_line_family
from . import test_partner_size
from . import test_security
from . import test_territory
