import dataclasses

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import suggestions
from ..tools import distance_km_sql, local_sql
from ..tools.spend import window_start


class ParetoSuggestions(models.AbstractModel):
    """The SMEs that could take a purchase order: the candidates are
    gathered in PostgreSQL (vendors supplying the order's products, vendors
    the company bought from in its families), their prices follow Odoo's own
    seller selection, and the engine ranks them
    (:func:`pareto_odoo.engine.suggestions.rank_candidates`).
    ``purchase.order.get_pareto_suggestions()`` is the public entry point."""

    _name = "pareto.suggestions"
    _description = "SME Suggestions for a Purchase Order"

    @api.model
    def _suggestions(self, order, limit):
        """The best ``limit`` suggestions for ``order`` (access checked by the
        caller), as dicts with the keys of DESIGN.md."""
        lines = self._order_lines(order)
        if limit <= 0 or not lines:
            return []
        # Only the few fields used below (not every column of these models).
        order.fetch(["company_id", "partner_id", "currency_id"])
        order.partner_id.fetch(["commercial_partner_id"])
        company = order.company_id
        company.fetch(
            ["partner_id", "pareto_local_departments", "pareto_local_radius_km",
             "pareto_spend_basis"]
        )  # fmt: skip
        company.partner_id.fetch(["partner_latitude", "partner_longitude"])
        families = sorted({family_id for _product, family_id, _qty in lines.values()})
        supplied = self._supplier_candidates(order, lines)
        candidates = [candidate for candidate, _terms in supplied]
        candidates += self._history_candidates(order, families)
        exclude = order.partner_id.commercial_partner_id.ids
        # Odoo's seller selection only for the candidates whose price matters.
        today = fields.Date.context_today(self)
        terms = {id(candidate): seller for candidate, seller in supplied}
        priced = {}
        for candidate in suggestions.needing_price(candidates, limit, exclude):
            if id(candidate) in terms:
                price, delay = self._seller_terms(order, *terms[id(candidate)], today)
                priced[id(candidate)] = dataclasses.replace(candidate, price=price, delay=delay)
        candidates = [priced.get(id(candidate), candidate) for candidate in candidates]
        return suggestions.rank_candidates(candidates, limit=limit, exclude_partner_ids=exclude)

    @api.model
    def _order_lines(self, order):
        """{product_id: (product, family_id, quantity in the product's unit)}
        of the saved lines of ``order`` that have a family (one small query)."""
        self.env["purchase.order.line"].flush_model(
            ["order_id", "product_id", "pareto_family_id", "product_uom_qty", "display_type"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT line.product_id, MIN(line.pareto_family_id), SUM(line.product_uom_qty)
                  FROM purchase_order_line line
                 WHERE line.order_id = %s
                   AND line.display_type IS NULL
                   AND line.pareto_family_id IS NOT NULL
                 GROUP BY line.product_id
                """,
                order.id,
            )
        )
        rows = self.env.cr.fetchall()
        products = self.env["product.product"].browse([row[0] for row in rows])
        return {
            product.id: (product, family_id, quantity)
            for product, (_id, family_id, quantity) in zip(products, rows, strict=True)
        }

    @api.model
    def _vendor_sql(self, order, alias):
        """SQL of the candidate columns of the commercial partner ``alias``
        and of the condition that makes it a possible suggestion for
        ``order``."""
        company = order.company_id
        origin = company.partner_id
        latitude = SQL.identifier(alias, "partner_latitude")
        longitude = SQL.identifier(alias, "partner_longitude")
        if origin.partner_latitude or origin.partner_longitude:
            distance = distance_km_sql(
                latitude, longitude, origin.partner_latitude, origin.partner_longitude
            )
        else:
            distance = SQL("NULL::float8")
        is_local = local_sql(
            company, SQL.identifier(alias, "pareto_department"), latitude, longitude
        )
        columns = SQL(
            """%(vendor)s AS partner_id, %(name)s AS name, %(size)s AS pareto_size,
               %(is_local)s AS is_local, %(distance)s AS distance_km""",
            vendor=SQL.identifier(alias, "id"),
            name=SQL.identifier(alias, "name"),
            size=SQL.identifier(alias, "pareto_size"),
            is_local=is_local,
            distance=distance,
        )
        condition = SQL(
            """%(active)s AND %(sme)s AND %(excluded)s IS NOT TRUE
               AND (%(company)s IS NULL OR %(company)s = %(company_id)s)
               AND %(vendor)s != %(own_vendor)s""",
            active=SQL.identifier(alias, "active"),
            sme=SQL.identifier(alias, "pareto_is_sme"),
            excluded=SQL.identifier(alias, "pareto_excluded"),
            company=SQL.identifier(alias, "company_id"),
            company_id=company.id,
            vendor=SQL.identifier(alias, "id"),
            own_vendor=order.partner_id.commercial_partner_id.id or 0,
        )
        return columns, condition

    @api.model
    def _supplier_candidates(self, order, lines):
        """[(candidate, (product, seller partner ids, quantity))]: the SMEs
        whose price list has one of the order's products, one candidate per
        vendor and product, not priced yet (see :meth:`_seller_terms`)."""
        columns, condition = self._vendor_sql(order, "vendor")
        product_ids = list(lines)
        today = fields.Date.context_today(self)
        self.env["product.supplierinfo"].flush_model()
        self.env["res.partner"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT %(columns)s, line.product_id, line.family_id,
                       array_agg(DISTINCT info.partner_id) AS seller_ids
                  FROM unnest(%(products)s::int4[], %(families)s::int4[])
                       AS line(product_id, family_id)
                  JOIN product_product product ON product.id = line.product_id
                  JOIN product_supplierinfo info
                    ON info.product_tmpl_id = product.product_tmpl_id
                   AND (info.product_id IS NULL OR info.product_id = line.product_id)
                  JOIN res_partner contact ON contact.id = info.partner_id
                  JOIN res_partner vendor ON vendor.id = contact.commercial_partner_id
                 WHERE contact.active
                   AND (info.company_id IS NULL OR info.company_id = %(company_id)s)
                   AND (info.date_start IS NULL OR info.date_start <= %(today)s)
                   AND (info.date_end IS NULL OR info.date_end >= %(today)s)
                   AND %(condition)s
                 GROUP BY vendor.id, line.product_id, line.family_id
                """,
                columns=columns,
                condition=condition,
                products=product_ids,
                families=[lines[product_id][1] for product_id in product_ids],
                company_id=order.company_id.id,
                today=today,
            )
        )
        candidates = []
        for row in self.env.cr.dictfetchall():
            product, _family, quantity = lines[row.pop("product_id")]
            seller_ids = row.pop("seller_ids")
            candidate = suggestions.Candidate(reason=suggestions.SUPPLIES_PRODUCT, **row)
            candidates.append((candidate, (product, seller_ids, quantity)))
        return candidates

    @api.model
    def _seller_terms(self, order, product, seller_ids, quantity, today):
        """(price per unit of the product, after discount, in the order's
        currency; lead time in days) of the price list entry Odoo itself
        would pick ordering from the vendor (``_select_seller``: quantity and
        unit, validity dates, discount; when the quantity is below every
        minimum of the vendor, its best entry regardless of quantity) from
        the vendor's company or one of its contacts (the ``seller_ids`` that
        have an entry; the cheapest wins, as in Odoo), or
        (None, None) when none applies.

        As superuser: the caller checked the order; the vendors are those
        the order's company may use, whose contacts the user may not all see."""
        product = product.with_company(order.company_id).sudo()
        sellers = self.env["product.supplierinfo"].sudo()
        for partner in self.env["res.partner"].sudo().browse(seller_ids):
            select = {"partner_id": partner, "date": today, "uom_id": product.uom_id,
                      "params": {"order_id": order}}  # fmt: skip
            sellers |= product._select_seller(quantity=quantity, **select) or (
                product._select_seller(quantity=None, **select)
            )
        if not sellers:
            return None, None
        prices = {
            seller: seller.currency_id._convert(
                seller.price_discounted, order.currency_id, order.company_id, today, round=False
            )
            for seller in sellers
        }
        seller = min(sellers, key=lambda seller: (prices[seller], seller.sequence, seller.id))
        return prices[seller], seller.delay

    @api.model
    def _history_candidates(self, order, family_ids):
        """Candidates of the SMEs the company bought from in the order's
        families over the last 24 months (its confirmed orders, or its bills
        on the invoiced basis): one row per vendor, with its family of
        largest spend and that spend (company currency) as volume, which is
        what the engine keeps of a vendor's several history entries (same
        locality, reason, distance and price: the largest volume wins).

        Read from ``pareto.spend.history`` (a few rows per vendor and family,
        exact at any time), not from 24 months of lines; the SMEs among its
        partners are picked with the partial index of SMEs and their
        contacts, so that only their rows are joined."""
        columns, condition = self._vendor_sql(order, "vendor")
        company = order.company_id
        rows = self.env["pareto.spend.history"]._volume_rows_sql(
            company.id,
            company._pareto_spend_source(),
            family_ids,
            window_start(fields.Datetime.now()),
        )
        self.env.cr.execute(
            SQL(
                """
                WITH spend AS (
                    SELECT COALESCE(contact.commercial_partner_id, contact.id) AS vendor_id,
                           rows.family_id, SUM(rows.amount)::float8 AS volume
                      FROM (%(rows)s) rows
                      JOIN res_partner contact
                        ON contact.id = rows.partner_id AND contact.pareto_is_sme
                     GROUP BY 1, rows.family_id
                    HAVING SUM(rows.amount) != 0
                ), best AS (
                    SELECT DISTINCT ON (vendor_id) vendor_id, family_id, volume
                      FROM spend
                     ORDER BY vendor_id, volume DESC, family_id
                )
                SELECT %(columns)s, best.family_id, best.volume
                  FROM best
                  JOIN res_partner vendor ON vendor.id = best.vendor_id
                 WHERE %(condition)s
                """,
                rows=rows,
                columns=columns,
                condition=condition,
            )
        )
        return [
            suggestions.Candidate(reason=suggestions.FAMILY_HISTORY, **row)
            for row in self.env.cr.dictfetchall()
        ]
