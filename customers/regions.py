"""The sales region of a country, for files that give the country but no region (so their customers are not left
out of region criteria). The regions are the ones the demo data and most CRMs use: North America, LATAM, EMEA,
APAC. Pure: no database."""

_REGIONS = {
    "North America": "United States, USA, US, U.S., U.S.A., United States of America, Canada",
    "LATAM": (
        "Mexico, Brazil, Argentina, Chile, Colombia, Peru, Uruguay, Paraguay, Bolivia, Ecuador, Venezuela, "
        "Costa Rica, Panama, Guatemala, Honduras, El Salvador, Nicaragua, Dominican Republic, Puerto Rico, Cuba, "
        "Jamaica"
    ),
    "EMEA": (
        "United Kingdom, UK, U.K., Great Britain, England, Scotland, Wales, Northern Ireland, Ireland, Germany, "
        "Deutschland, France, Netherlands, The Netherlands, Holland, Belgium, Luxembourg, Spain, Portugal, Italy, "
        "Switzerland, Austria, Sweden, Norway, Denmark, Finland, Iceland, Poland, Czech Republic, Czechia, Slovakia, "
        "Hungary, Romania, Bulgaria, Greece, Croatia, Slovenia, Serbia, Estonia, Latvia, Lithuania, Ukraine, "
        "Turkey, Türkiye, Israel, United Arab Emirates, UAE, Saudi Arabia, Qatar, Kuwait, Bahrain, Oman, Egypt, "
        "Morocco, Tunisia, Nigeria, Kenya, Ghana, South Africa, Cyprus, Malta"
    ),
    "APAC": (
        "Australia, New Zealand, Japan, China, Hong Kong, Taiwan, South Korea, Korea, Singapore, India, "
        "Indonesia, Malaysia, Thailand, Vietnam, Viet Nam, Philippines, Pakistan, Bangladesh, Sri Lanka"
    ),
}
_BY_COUNTRY = {
    country.strip().casefold(): region for region, countries in _REGIONS.items() for country in countries.split(",")
}


def region_of(country: str) -> str:
    """The region of ``country`` (any case and spacing), or "" when it is not known."""
    return _BY_COUNTRY.get(" ".join((country or "").split()).casefold(), "")
