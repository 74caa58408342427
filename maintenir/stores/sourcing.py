"""Which store planned work draws a part from: the site's own store first, then the central store.

Vans are left out: a reservation made at planning promises stock kept for the site, not what a technician
happens to carry.
"""

from decimal import Decimal

from django.db.models import Q

from maintenir.assets.models import Site
from maintenir.stores.choices import LocationKind
from maintenir.stores.models import Location, Part, StockBalance
from maintenir.stores.services import nearness

STORE_KINDS = (LocationKind.SITE_STORE, LocationKind.CENTRAL_STORE)


def _serving(site: Site) -> Q:
    """The stores (and their bins) that serve the site: its own store and the central stores, the company's
    or the site's client's."""
    own = Q(kind=LocationKind.SITE_STORE, site=site) | Q(kind=LocationKind.CENTRAL_STORE)
    inside = Q(kind=LocationKind.BIN) & (
        Q(parent__kind=LocationKind.SITE_STORE, parent__site=site) | Q(parent__kind=LocationKind.CENTRAL_STORE)
    )
    return (own | inside) & (Q(owner__isnull=True) | Q(owner_id=site.organisation_id))


def stores_for(site: Site) -> list[Location]:
    """The stores serving the site, nearest first (bins left out: a need is counted at its store)."""
    stores = Location.objects.filter(_serving(site), kind__in=STORE_KINDS).select_related("parent")
    return sorted(stores, key=lambda location: (nearness(location, None, site), location.pk))


def supplies(part: Part, site: Site) -> list[StockBalance]:
    """The part's balances with stock available in the stores serving the site, nearest first."""
    balances = StockBalance.objects.filter(part=part, location__in=Location.objects.filter(_serving(site)))
    found = [balance for balance in balances.select_related("location__parent") if balance.available > 0]
    found.sort(key=lambda balance: (nearness(balance.location, None, site), -balance.available, balance.pk))
    return found


def reserve_location(part: Part, site: Site, quantity: Decimal = Decimal(1)) -> Location | None:
    """Where work on the site would draw `quantity` of the part from: the nearest store holding all of it,
    else the nearest holding some, else the store that would be restocked (the site's, else the central one)."""
    found = supplies(part, site)
    for balance in found:
        if balance.available >= quantity:
            return balance.location
    if found:
        return found[0].location
    stores = stores_for(site)
    return stores[0] if stores else None
