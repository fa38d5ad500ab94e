"""The places the public maps draw (static/cms/map.js through templates/cms/_map.html, or the
`map/` routes' JSON): one shape, {name, lat, lng, url, detail}, and only places that have
coordinates."""


def map_place(*, name, lat, lng, url, detail):
    """A place for a map, or None without coordinates (it cannot be drawn)."""
    if lat is None or lng is None:
        return None
    return {"name": name, "lat": float(lat), "lng": float(lng), "url": url, "detail": detail}


def map_places(places):
    """The places of an iterable of map_place() results that can be drawn."""
    return [place for place in places if place is not None]
