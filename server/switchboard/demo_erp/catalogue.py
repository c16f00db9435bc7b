"""The invented master data of the demo ERP: customers, products, carriers and names.

Customers are written out by hand so the demo reads like a real customer base; everything that
varies (contacts, phone numbers, orders) is drawn from the seed in `generate`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CustomerSpec:
    number: int  # C10023 -> 10023; the account number is K + number + "0"
    name: str
    country: str  # DE, AT, CH, NL, GB
    segment: str  # distributor | plant
    tier: str  # standard | key_account | vip
    locale: str  # en | de
    domain: str  # e-mail domain, always under .example
    city: str


# number|name|country|segment|tier|locale|e-mail domain (+ .example)|city
_CUSTOMER_TABLE = """
10001|Weser Fluidtechnik GmbH|DE|distributor|standard|de|weser-fluid|Bremen
10002|Rheintal Pumpenhandel GmbH|DE|distributor|key_account|de|rheintal-pumpen|Mannheim
10003|Papierfabrik Elbufer GmbH|DE|plant|standard|de|elbufer-papier|Dresden
10004|Chemiewerk Mainspitze AG|DE|plant|key_account|de|mainspitze-chemie|Hanau
10005|Isar Industriebedarf GmbH|DE|distributor|standard|de|isar-industrie|Landshut
10006|Stadtwerke Neuhafen Klärwerk Ost|DE|plant|standard|de|sw-neuhafen|Neuhafen
10007|Alpenwerk Energie AG|AT|plant|vip|de|alpenwerk-energie|Innsbruck
10008|Donau Pumpentechnik GmbH|AT|distributor|standard|de|donau-pumpen|Linz
10009|Limmat Fluid AG|CH|distributor|key_account|de|limmat-fluid|Zürich
10010|Van Dalen Pompen B.V.|NL|distributor|standard|en|vandalen-pompen|Utrecht
10011|Pennine Process Equipment Ltd|GB|distributor|standard|en|pennine-process|Leeds
10012|Brauerei Kesselberg KG|DE|plant|standard|de|kesselberg-brau|Bamberg
10013|Zuckerfabrik Bördeland GmbH|DE|plant|standard|de|boerdeland-zucker|Magdeburg
10014|Tiroler Wasserkraft Service GmbH|AT|plant|standard|de|tiwas-service|Schwaz
10015|Jura Pumpen AG|CH|distributor|standard|de|jura-pumpen|Solothurn
10016|Waterschap Polderland|NL|plant|key_account|en|polderland-water|Lelystad
10017|Clyde Water Services Ltd|GB|plant|standard|en|clyde-water|Glasgow
10018|Saar Armaturen und Pumpen GmbH|DE|distributor|standard|de|saar-armaturen|Saarbrücken
10019|Lausitzer Pumpendienst GmbH|DE|distributor|standard|de|lausitz-pumpendienst|Cottbus
10020|Stahlwerk Murtal GmbH|AT|plant|key_account|de|murtal-stahl|Judenburg
10021|Zeeland Chemie B.V.|NL|plant|standard|en|zeeland-chemie|Terneuzen
10022|Severn Paper Mills Ltd|GB|plant|standard|en|severn-paper|Gloucester
10023|Hydro-Kraft GmbH|DE|distributor|standard|de|hydro-kraft|Mannheim
10024|Nordsee Hafentechnik GmbH|DE|distributor|standard|de|nordsee-hafentechnik|Cuxhaven
10025|Kraftwerk Schwarzachtal GmbH|DE|plant|vip|de|schwarzachtal-kraft|Regensburg
10026|Humber Chemicals plc|GB|plant|key_account|en|humber-chem|Hull
10027|De Vries Industrietechniek B.V.|NL|distributor|standard|en|devries-industrie|Eindhoven
10028|Papeterie du Léman SA|CH|plant|standard|en|papeterie-leman|Vevey
10029|Steirische Fernwärme GmbH|AT|plant|standard|de|stmk-fernwaerme|Graz
10030|Westfalen Pumpen Service GmbH|DE|distributor|standard|de|westfalen-pumpen|Münster
10031|Thames Valley Pump Supplies Ltd|GB|distributor|standard|en|thamesvalley-pumps|Reading
10032|Molkerei Allgäuer Höhe eG|DE|plant|standard|de|allgaeuer-hoehe|Kempten
10033|Aare Wasserversorgung AG|CH|plant|vip|de|aare-wasser|Aarau
10034|Mersey Valve and Pump Ltd|GB|distributor|standard|en|mersey-valve|Liverpool
10035|Ostalb Fluidsysteme GmbH|DE|distributor|key_account|de|ostalb-fluid|Aalen
10036|Veenkoloniën Aardappelzetmeel B.V.|NL|plant|standard|en|veenkol-zetmeel|Veendam
10037|Vorarlberger Textilveredelung GmbH|AT|plant|standard|de|vtv-textil|Dornbirn
10038|Harzer Bergwasser GmbH|DE|plant|standard|de|harzer-bergwasser|Goslar
10039|Kent Process Hire Ltd|GB|distributor|standard|en|kent-process|Maidstone
10040|Spreewerk Umwelttechnik GmbH|DE|distributor|standard|de|spreewerk-umwelt|Berlin
"""


def _parse_customers(table: str) -> tuple[CustomerSpec, ...]:
    specs = []
    for line in table.strip().splitlines():
        number, name, country, segment, tier, locale, domain, city = (
            cell.strip() for cell in line.split("|")
        )
        domain = f"{domain}.example"
        specs.append(CustomerSpec(int(number), name, country, segment, tier, locale, domain, city))
    return tuple(specs)


CUSTOMERS = _parse_customers(_CUSTOMER_TABLE)


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    category: str  # pump | seal | impeller | motor | spare
    list_price_eur: float


PRODUCTS: tuple[Product, ...] = (
    Product("P-NKP32-160", "NKP 32-160 centrifugal pump, 2.2 kW", "pump", 1890.00),
    Product("P-NKP50-200", "NKP 50-200 centrifugal pump, 7.5 kW", "pump", 4350.00),
    Product("P-NKP80-250", "NKP 80-250 centrifugal pump, 18.5 kW", "pump", 9870.00),
    Product("P-NMS4-08", "NMS 4-08 multistage pump", "pump", 3120.00),
    Product("P-NSP100", "NSP 100 submersible drainage pump", "pump", 2480.00),
    Product("P-NDP25", "NDP 25 metering pump", "pump", 1340.00),
    Product("S-MS24", "Mechanical seal MS-24, carbon/SiC", "seal", 186.00),
    Product("S-MS35", "Mechanical seal MS-35, SiC/SiC", "seal", 312.00),
    Product("S-CS50", "Cartridge seal CS-50", "seal", 845.00),
    Product("S-GK50", "Gasket set for NKP 50", "seal", 48.00),
    Product("S-OR-EPDM", "O-ring kit EPDM", "seal", 29.50),
    Product("I-NKP32-CI", "Impeller NKP 32-160, cast iron", "impeller", 240.00),
    Product("I-NKP50-BZ", "Impeller NKP 50-200, bronze", "impeller", 610.00),
    Product("I-NKP80-SS", "Impeller NKP 80-250, stainless steel", "impeller", 1450.00),
    Product("M-IE3-2K2", "IE3 motor 2.2 kW, 2-pole", "motor", 520.00),
    Product("M-IE3-7K5", "IE3 motor 7.5 kW, 4-pole", "motor", 1180.00),
    Product("M-IE4-18K5", "IE4 motor 18.5 kW, 4-pole", "motor", 2890.00),
    Product("X-BRG50", "Bearing kit for NKP 50", "spare", 96.00),
    Product("X-CPL-G", "Coupling guard", "spare", 75.00),
)

PRODUCTS_BY_SKU = {p.sku: p for p in PRODUCTS}

CURRENCY_BY_COUNTRY = {"DE": "EUR", "AT": "EUR", "NL": "EUR", "CH": "CHF", "GB": "GBP"}
# Fixed conversion for the price lists in other currencies (the demo has no exchange rates).
PRICE_FACTOR = {"EUR": 1.0, "CHF": 0.94, "GBP": 0.86}

# (name, tracking number prefix, tracking site) per carrier; the sites are invented.
CARRIERS: dict[str, tuple[str, str, str]] = {
    "rheinland": ("Rheinland Cargo", "RC", "https://track.rheinland-cargo.example/t/"),
    "alptrans": ("AlpTrans Logistik", "AT", "https://alptrans.example/sendung?nr="),
    "northsea": ("NorthSea Freight", "NSF", "https://northsea-freight.example/track/"),
    "kurier": ("Kurier Express 24", "KX", "https://kurier24.example/s/"),
}
CARRIERS_BY_COUNTRY = {
    "DE": ("rheinland", "kurier"),
    "AT": ("alptrans", "rheinland"),
    "CH": ("alptrans",),
    "NL": ("northsea", "rheinland"),
    "GB": ("northsea",),
}

_NAMES = """
de first: Petra Jonas Sabine Markus Anja Tobias Claudia Florian Birgit Stefan Katrin Dominik
en first: Sarah James Emma Oliver Hannah Daniel Lucy Thomas Joanne Sanne Ruben Femke
de last: Lange Keller Hofmann Brandt Winkler Vogt Huber Lorenz Seidel Kuhn Pichler Gruber
en last: Hughes Clarke Walsh Bennett Foster Bakker Visser Jansen Turner Price Mulder Reid
"""


def _names(locale: str, kind: str) -> tuple[str, ...]:
    for line in _NAMES.strip().splitlines():
        label, words = line.split(":")
        if label == f"{locale} {kind}":
            return tuple(words.split())
    raise KeyError(f"{locale} {kind}")


FIRST_NAMES = {locale: _names(locale, "first") for locale in ("de", "en")}
LAST_NAMES = {locale: _names(locale, "last") for locale in ("de", "en")}

# Country calling code and area codes used for invented numbers.
PHONE_AREAS = {
    "DE": ("49", ("621", "421", "351", "871", "30", "251", "7361", "5321")),
    "AT": ("43", ("512", "732", "316", "5572")),
    "CH": ("41", ("44", "32", "62", "21")),
    "NL": ("31", ("30", "40", "115", "598")),
    "GB": ("44", ("113", "141", "151", "1622", "118")),
}
