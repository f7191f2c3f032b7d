"""Reference data for the simulated business: places, industries, companies, campaigns.

The simulated seller is a US commercial real-estate brokerage ("Larkspur Commercial Realty")
that finds office, industrial and retail space for companies. That business explains every
column the canonical lead schema has: leads are people at companies (company, industry, size),
budgets are annual rent budgets, agents cover states and price bands, and prospects view
properties. Everything here is small, hand-written and embedded so generation needs no network.
"""

from __future__ import annotations

from dataclasses import dataclass

SELLER_DOMAIN = "larkspurcre.com"
SELLER_SITE = "https://www.larkspurcre.com"


@dataclass(frozen=True)
class City:
    name: str
    state: str
    weight: float  # relative share of leads (roughly metro size)
    area_codes: tuple[int, ...]
    zip_lo: int
    zip_hi: int
    office: bool = False  # Larkspur has a walk-in office here


CITIES: tuple[City, ...] = (
    City("New York", "NY", 9.0, (212, 646, 718, 917, 347), 10001, 10292, True),
    City("Los Angeles", "CA", 6.5, (213, 310, 323, 818), 90001, 90089, True),
    City("Chicago", "IL", 5.0, (312, 773, 872), 60601, 60661, True),
    City("Houston", "TX", 3.8, (713, 281, 832), 77001, 77099, True),
    City("Dallas", "TX", 3.6, (214, 469, 972), 75201, 75254, True),
    City("Phoenix", "AZ", 2.6, (602, 480, 623), 85001, 85054, True),
    City("Philadelphia", "PA", 2.5, (215, 267), 19102, 19154),
    City("Atlanta", "GA", 3.0, (404, 470, 678), 30301, 30350, True),
    City("Miami", "FL", 3.0, (305, 786), 33101, 33199, True),
    City("Washington", "DC", 3.0, (202,), 20001, 20020),
    City("Boston", "MA", 2.8, (617, 857), 2108, 2137, True),
    City("San Francisco", "CA", 2.8, (415, 628), 94102, 94134, True),
    City("Seattle", "WA", 2.5, (206,), 98101, 98199, True),
    City("Denver", "CO", 2.0, (303, 720), 80202, 80239, True),
    City("San Diego", "CA", 2.0, (619, 858), 92101, 92199),
    City("San Jose", "CA", 1.6, (408, 669), 95110, 95148),
    City("Austin", "TX", 1.9, (512, 737), 78701, 78759),
    City("San Antonio", "TX", 1.4, (210,), 78201, 78266),
    City("Fort Worth", "TX", 1.0, (817, 682), 76101, 76199),
    City("Minneapolis", "MN", 1.5, (612,), 55401, 55488),
    City("Tampa", "FL", 1.3, (813,), 33602, 33629),
    City("Orlando", "FL", 1.1, (407, 321), 32801, 32839),
    City("Jacksonville", "FL", 0.9, (904,), 32202, 32277),
    City("Charlotte", "NC", 1.3, (704, 980), 28202, 28287),
    City("Raleigh", "NC", 0.9, (919, 984), 27601, 27617),
    City("Nashville", "TN", 1.1, (615, 629), 37201, 37221),
    City("Memphis", "TN", 0.6, (901,), 38103, 38141),
    City("Detroit", "MI", 1.4, (313,), 48201, 48235),
    City("Columbus", "OH", 1.0, (614, 380), 43201, 43235),
    City("Cleveland", "OH", 0.8, (216,), 44101, 44199),
    City("Indianapolis", "IN", 0.9, (317,), 46201, 46260),
    City("Portland", "OR", 1.0, (503, 971), 97201, 97239),
    City("Las Vegas", "NV", 1.0, (702, 725), 89101, 89149),
    City("Baltimore", "MD", 1.0, (410, 443), 21201, 21239),
    City("Milwaukee", "WI", 0.7, (414,), 53202, 53233),
    City("Kansas City", "MO", 0.8, (816,), 64101, 64199),
    City("St. Louis", "MO", 0.9, (314,), 63101, 63147),
    City("Pittsburgh", "PA", 0.8, (412,), 15201, 15244),
    City("Salt Lake City", "UT", 0.7, (801, 385), 84101, 84121),
    City("Sacramento", "CA", 0.8, (916,), 95814, 95838),
    City("Louisville", "KY", 0.5, (502,), 40202, 40299),
    City("Albuquerque", "NM", 0.4, (505,), 87101, 87123),
)

# Exchange codes (the NXX in NPA-NXX-XXXX) that make a valid, callable US number: 200-999,
# excluding N11 service codes and the fictional 555.
VALID_EXCHANGES: tuple[int, ...] = tuple(x for x in range(200, 1000) if x % 100 != 11 and x != 555)


@dataclass(frozen=True)
class Industry:
    name: str  # canonical, lower case (what ingestion normalizes to)
    weight: float
    median_size: int  # median number of employees
    effect: float  # additive effect on the logit of the conversion propensity
    property_type: str  # the kind of space such companies usually lease
    nouns: tuple[str, ...]  # words that end company names in this industry


INDUSTRIES: tuple[Industry, ...] = (
    Industry(
        "technology",
        14,
        60,
        0.45,
        "Office",
        ("Software", "Systems", "Labs", "Technologies", "Digital", "Analytics", "Networks"),
    ),
    Industry(
        "healthcare",
        10,
        90,
        0.25,
        "Medical office",
        ("Health", "Medical", "Clinics", "Care", "Dental", "Therapeutics"),
    ),
    Industry(
        "financial services",
        10,
        120,
        0.35,
        "Office",
        ("Capital", "Financial", "Advisors", "Wealth", "Partners", "Insurance"),
    ),
    Industry("legal", 7, 25, 0.15, "Office", ("Law Group", "Legal", "Attorneys", "Law")),
    Industry(
        "consulting", 8, 30, 0.10, "Office", ("Consulting", "Strategy", "Advisory", "Solutions", "Associates")
    ),
    Industry(
        "manufacturing",
        8,
        180,
        0.05,
        "Industrial",
        ("Manufacturing", "Industries", "Fabrication", "Components", "Works"),
    ),
    Industry(
        "logistics",
        7,
        140,
        0.15,
        "Warehouse",
        ("Logistics", "Freight", "Distribution", "Transport", "Supply"),
    ),
    Industry("retail", 8, 45, -0.25, "Retail", ("Outfitters", "Goods", "Market", "Boutique", "Stores")),
    Industry(
        "hospitality", 5, 70, -0.35, "Retail", ("Hospitality", "Restaurants", "Hotels", "Kitchen", "Cafe")
    ),
    Industry("education", 5, 200, -0.45, "Office", ("Academy", "Learning", "Institute", "Tutoring")),
    Industry("nonprofit", 4, 35, -0.70, "Office", ("Foundation", "Alliance", "Fund", "Society")),
    Industry(
        "construction",
        6,
        45,
        -0.10,
        "Flex",
        ("Construction", "Builders", "Contractors", "Engineering", "Roofing"),
    ),
    Industry(
        "media",
        5,
        35,
        -0.20,
        "Creative office",
        ("Media", "Studios", "Creative", "Productions", "Publishing"),
    ),
    Industry("real estate", 3, 20, 0.00, "Office", ("Properties", "Realty", "Holdings", "Estates")),
)

# Company-name building blocks: "<Prefix> <Noun>", "<Prefix> <Prefix2> <Noun>",
# "<Surname> <Noun>" or "<Surname> & <Surname>".
COMPANY_PREFIXES: tuple[str, ...] = (
    "Summit",
    "Harbor",
    "Northwind",
    "Apex",
    "Cedar",
    "Granite",
    "Pioneer",
    "Evergreen",
    "Ironwood",
    "Redwood",
    "Crescent",
    "Keystone",
    "Beacon",
    "Liberty",
    "Heritage",
    "Frontier",
    "Meridian",
    "Pinnacle",
    "Horizon",
    "Lakeside",
    "Riverbend",
    "Oakmont",
    "Sterling",
    "Cobalt",
    "Atlas",
    "Vertex",
    "Quantum",
    "Bright",
    "Clearview",
    "Falcon",
    "Eagle",
    "Maple",
    "Willow",
    "Aspen",
    "Sequoia",
    "Orion",
    "Nova",
    "Polaris",
    "Silverline",
    "Blue Ridge",
    "Red Oak",
    "Golden Gate",
    "Lone Star",
    "Bayview",
    "Highland",
    "Prairie",
    "Coastal",
    "Midwest",
    "Pacific",
    "Atlantic",
    "Metro",
    "Urban",
    "Capitol",
    "Union",
    "Central",
    "Northstar",
    "Southpoint",
    "Westfield",
    "Eastgate",
    "Trinity",
    "Cardinal",
    "Monarch",
    "Sentinel",
    "Vanguard",
    "Catalyst",
    "Elevate",
    "Foundry",
    "Kinetic",
    "Lumen",
    "Radiant",
    "Tandem",
    "Bluebird",
    "Copper",
    "Harvest",
    "Juniper",
    "Magnolia",
    "Peregrine",
    "Sandstone",
    "Timberline",
    "Wildflower",
    "Brightwater",
    "Stonebridge",
    "Fairview",
    "Greenleaf",
    "Hillcrest",
    "Ivy",
    "Larch",
    "Mesa",
    "Oasis",
    "Parkside",
    "Quarry",
    "Rockport",
    "Saltbox",
    "Tidewater",
    "Upland",
    "Valley",
    "Windward",
    "Zenith",
)
COMPANY_PREFIXES_2: tuple[str, ...] = (
    "Peak",
    "Point",
    "Bay",
    "Creek",
    "Ridge",
    "Field",
    "Stone",
    "Bridge",
    "Park",
    "Lake",
    "River",
    "Hill",
    "Grove",
    "Harbor",
    "Rock",
    "Valley",
    "Crest",
    "Gate",
    "Wood",
    "Star",
)

# Legal-form suffixes: canonical spelling first, then the variants people and systems write.
# The empty variant is "suffix left off"; companies without a suffix have only that variant.
COMPANY_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("",),
    (" Inc.", " Inc", ", Inc.", " Incorporated", ""),
    (" LLC", " L.L.C.", ", LLC", " Llc", ""),
    (" Corp.", " Corp", " Corporation", ""),
    (" Ltd", " Ltd.", " Limited", ""),
    (" Co.", " Co", " Company", ""),
)
COMPANY_SUFFIX_WEIGHTS: tuple[float, ...] = (0.20, 0.34, 0.30, 0.08, 0.03, 0.05)

FREE_EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 0.45),
    ("yahoo.com", 0.13),
    ("outlook.com", 0.09),
    ("hotmail.com", 0.08),
    ("icloud.com", 0.08),
    ("aol.com", 0.04),
    ("comcast.net", 0.03),
    ("protonmail.com", 0.02),
    ("msn.com", 0.02),
    ("live.com", 0.02),
    ("att.net", 0.02),
    ("me.com", 0.02),
)

JOB_TITLES: tuple[tuple[str, float], ...] = (
    ("Owner", 8),
    ("CEO", 6),
    ("Founder", 4),
    ("President", 3),
    ("COO", 3),
    ("CFO", 4),
    ("Office Manager", 9),
    ("Facilities Manager", 8),
    ("Operations Manager", 7),
    ("VP of Operations", 4),
    ("Director of Real Estate", 3),
    ("Head of Workplace", 2),
    ("HR Director", 3),
    ("Managing Partner", 3),
    ("General Manager", 4),
    ("Controller", 2),
    ("Executive Assistant", 5),
    ("Procurement Manager", 2),
    ("Practice Manager", 2),
    ("Store Manager", 2),
    ("Principal", 2),
    ("Project Manager", 3),
)

# The canonical values the generator writes. Its own copies, so the generator imports nothing of
# the project it feeds; tests/sample_data/test_sample_vocabulary.py holds them equal to
# ingest.schemas.
TIMELINES: tuple[str, ...] = ("immediate", "1-3 months", "3-6 months", "6-12 months", "12+ months")
LEAD_STATUSES: tuple[str, ...] = (
    "New",
    "Contacted",
    "Qualified",
    "Nurturing",
    "Proposal",
    "Negotiation",
    "Closed Won",
    "Closed Lost",
    "Recycled",
    "Disqualified",
)
ACTIVITY_TYPES: tuple[str, ...] = (
    "email_open",
    "email_click",
    "page_view",
    "property_view",
    "form_submission",
    "call",
    "meeting",
    "demo",
    "chat",
    "content_download",
    "webinar",
    "demo_request",
    "pricing_page_view",
    "social_engagement",
    "search",
    "email",
    "sms",
)
TIMELINE_WEIGHTS: tuple[float, ...] = (0.12, 0.25, 0.28, 0.22, 0.13)  # TIMELINES order


@dataclass(frozen=True)
class Campaign:
    """A paid campaign. Leads only carry it while it runs, and ad_spend bills it daily."""

    name: str
    source: str  # lead source whose records carry it: ad_leads (ad forms) or web_forms (UTM)
    platform: str
    weight: float  # share of that source's paid leads while running
    cost_per_lead: float  # USD, drives the simulated daily spend
    start_month: int = 0  # months after the start of the simulated period
    end_month: int = 18


PAID_CAMPAIGNS: tuple[Campaign, ...] = (
    Campaign("FB_LeadAds_OfficeSpace", "ad_leads", "facebook", 3.0, 45),
    Campaign("FB_LeadAds_Warehouse_Summer", "ad_leads", "facebook", 2.0, 55, 2, 5),
    Campaign("FB_LeadAds_Holiday_Retail", "ad_leads", "facebook", 2.0, 50, 5, 8),
    Campaign("IG_LeadAds_Coworking", "ad_leads", "instagram", 1.5, 40),
    Campaign("LI_LeadGen_HQ_Relocation", "ad_leads", "linkedin", 2.0, 160),
    Campaign("LI_LeadGen_CFO_Lease_Audit", "ad_leads", "linkedin", 1.5, 180, 8, 14),
    Campaign("LI_LeadGen_Expansion", "ad_leads", "linkedin", 2.0, 150, 14, 18),
    Campaign("GADS_LeadForm_Office_NonBrand", "ad_leads", "google", 2.0, 70),
    Campaign("gs_brand", "web_forms", "google", 3.0, 25),
    Campaign("gs_office_space_nonbrand", "web_forms", "google", 3.0, 85),
    Campaign("gs_warehouse_nonbrand", "web_forms", "google", 1.5, 95),
    Campaign("bing_office_nonbrand", "web_forms", "bing", 1.0, 60),
    Campaign("display_remarketing", "web_forms", "google", 1.0, 70, 4, 18),
)

CALL_CENTER_CAMPAIGNS: tuple[str, ...] = (
    "Inbound - Website Phone",
    "Inbound - Radio Spot",
    "Inbound - Billboard",
    "Outbound - Prospecting List",
    "Outbound - Lease Expiry List",
)
# Campaigns under an A/B test (config/analytics.yml ab_tests): each record of the campaign gets one
# of its variants, 50/50 at random. Script B converts better (propensity.CAMPAIGN_EFFECT); the two
# greetings are the same, an A/A check that the test finds no difference where there is none.
CAMPAIGN_VARIANTS: dict[str, tuple[str, ...]] = {
    "Outbound - Prospecting List": (
        "Outbound - Prospecting List (script A)",
        "Outbound - Prospecting List (script B)",
    ),
    "Inbound - Website Phone": (
        "Inbound - Website Phone (greeting A)",
        "Inbound - Website Phone (greeting B)",
    ),
}
CRM_CAMPAIGNS: tuple[str, ...] = (
    "Outbound Prospecting",
    "Partner Webinar",
    "Broker Network",
    "Account Expansion",
    "Trade Show List",
)
EVENT_KINDS: tuple[str, ...] = ("Open House", "Tenant Breakfast Seminar", "CRE Expo", "Broker Mixer")

REFERRAL_PARTNERS: tuple[str, ...] = (
    "Summit Relocation Partners",
    "Northstar Tenant Advisors",
    "BluePeak Moving & Storage",
    "Cornerstone Legal LLP",
    "Ironbridge Accountants",
    "Crescent Interiors",
    "Metro Office Furniture",
    "Atlas IT Services",
    "Harborview Insurance Brokers",
    "Keystone Business Bank",
    "Pioneer Payroll Co.",
    "Evergreen Architects",
)

EMAIL_CAMPAIGNS: tuple[str, ...] = (
    "Monthly Market Update",
    "New Listings Digest",
    "Lease Renewal Checklist",
    "Webinar Invite: Hybrid Office",
    "Case Study: HQ Relocation",
    "Quarterly Rent Report",
)
WEB_PAGES: tuple[str, ...] = (
    "/",
    "/pricing",
    "/about",
    "/contact",
    "/tenant-representation",
    "/blog/office-market-report",
    "/blog/how-much-space-do-you-need",
    "/blog/negotiating-a-lease",
    "/calculator",
)
FORM_NAMES: tuple[str, ...] = (
    "Download: Office Market Report",
    "Tour request",
    "Contact us",
    "Newsletter signup",
    "Space calculator results",
)
CALL_DETAILS = {
    "Contacted": ("Intro call", "Follow-up call", "Left voicemail", "Discovery call"),
    "Proposal": ("Proposal walkthrough", "Pricing discussion"),
    "Negotiation": ("Negotiation call", "Pricing discussion", "Terms review"),
}
MEETING_DETAILS = ("Site visit", "Lease review meeting", "Space planning session", "Stakeholder meeting")
DEMO_DETAILS = ("Virtual tour", "Property tour", "Space-planning demo")
CHAT_DETAILS = ("Chat: availability question", "Chat: pricing", "Chat: tour booking")

LOST_REASONS: tuple[str, ...] = (
    "Chose competitor",
    "No budget",
    "Timing not right",
    "Price too high",
    "Location not suitable",
    "Went direct to landlord",
    "Project cancelled",
)
NO_RESPONSE_REASON = "No response"
DISQUALIFY_REASONS: tuple[str, ...] = (
    "Not a decision maker",
    "Residential inquiry",
    "Outside service area",
    "Student / job seeker",
    "Spam",
    "Space need too small",
)
RECYCLE_REASONS: tuple[str, ...] = (
    "Not ready - revisit next quarter",
    "Budget freeze",
    "Lost contact",
    "Lease not expiring yet",
)


# --- What qualification records (sample_data/qualification.py) -----------------------------------

# Annual revenue per employee (USD), by industry: annual_revenue ~ company_size x this x noise.
REVENUE_PER_EMPLOYEE: dict[str, int] = {
    "technology": 220_000,
    "healthcare": 140_000,
    "financial services": 330_000,
    "legal": 210_000,
    "consulting": 170_000,
    "manufacturing": 280_000,
    "logistics": 240_000,
    "retail": 160_000,
    "hospitality": 65_000,
    "education": 90_000,
    "nonprofit": 85_000,
    "construction": 250_000,
    "media": 190_000,
    "real estate": 320_000,
}
# The property types the brokerage leases (product_interest), in the order they first appear.
PROPERTY_TYPES: tuple[str, ...] = tuple(dict.fromkeys(i.property_type for i in INDUSTRIES))
# Share of people asking for another property type than their industry's usual one.
OTHER_PROPERTY_TYPE_RATE = 0.15

# BANT authority: probability that a person with this title decides on the lease.
DECISION_MAKER_RATE: dict[str, float] = {
    "Owner": 0.95,
    "CEO": 0.92,
    "Founder": 0.93,
    "President": 0.90,
    "COO": 0.85,
    "CFO": 0.85,
    "Managing Partner": 0.90,
    "Principal": 0.85,
    "VP of Operations": 0.75,
    "Director of Real Estate": 0.75,
    "Head of Workplace": 0.65,
    "HR Director": 0.55,
    "General Manager": 0.60,
    "Controller": 0.25,
    "Office Manager": 0.20,
    "Facilities Manager": 0.25,
    "Operations Manager": 0.25,
    "Procurement Manager": 0.20,
    "Practice Manager": 0.25,
    "Store Manager": 0.15,
    "Project Manager": 0.10,
    "Executive Assistant": 0.05,
}
# BANT need: what tenants say is wrong with their space, with relative frequencies.
PAIN_POINTS: tuple[tuple[str, float], ...] = (
    ("Lease expiring", 3.0),
    ("Need more space", 2.5),
    ("Rent too high", 2.0),
    ("Downsizing after hybrid work", 1.5),
    ("Poor location for staff", 1.2),
    ("Outdated building", 1.0),
    ("Not enough parking", 0.8),
    ("Consolidating locations", 0.8),
    ("Expanding into a new market", 1.0),
    ("Need loading docks", 0.6),
)
# The CRM's custom fields (kept in `attributes`, read by path): the rep's rating and the channel
# the lead prefers, which also answers faster there (sample_data/activities.py).
LEAD_RATINGS: tuple[str, ...] = ("Hot", "Warm", "Cold")
CONTACT_CHANNELS: tuple[str, ...] = ("email", "phone", "sms", "social")
CONTACT_CHANNEL_WEIGHTS: tuple[float, ...] = (0.45, 0.30, 0.17, 0.08)
CRM_CONTACT_LABELS: tuple[str, ...] = ("Email", "Phone", "SMS", "LinkedIn")

# --- Activities the scoring rules count (sample_data/activities.py) -----------------------------

CONTENT_ASSETS: tuple[str, ...] = (
    "Download: Office Market Report",
    "Download: Industrial Outlook",
    "Download: Lease vs Buy Guide",
    "Download: Space Planning Checklist",
    "Download: Tenant Improvement Cost Guide",
)
WEBINARS: tuple[str, ...] = (
    "Webinar: Hybrid Office Strategies",
    "Webinar: Negotiating Your Lease",
    "Webinar: Industrial Market Outlook",
    "Webinar: Cutting Occupancy Costs",
)
DEMO_REQUESTS: tuple[str, ...] = (
    "Tour request form",
    "Virtual tour request",
    "Space-planning consultation request",
)
PRICING_PAGES: tuple[str, ...] = ("/pricing", "/pricing/tenant-representation", "/pricing/lease-audit")
SOCIAL_ENGAGEMENTS: tuple[str, ...] = (
    "LinkedIn: liked a post",
    "LinkedIn: commented on a post",
    "LinkedIn: shared a post",
    "Facebook: liked a post",
    "Instagram: followed the page",
)
# Square-foot bands a search filters on, by rough budget.
SEARCH_SIZES: tuple[str, ...] = (
    "under 2,500 sq ft",
    "2,500-5,000 sq ft",
    "5,000-10,000 sq ft",
    "10,000+ sq ft",
)
SALES_EMAILS: tuple[str, ...] = (
    "Email: following up on your inquiry",
    "Email: listings that match your search",
    "Email: scheduling a tour",
    "Email: quick question about your space needs",
)
PROPOSAL_EMAILS: tuple[str, ...] = ("Email: proposal attached", "Email: revised terms", "Email: next steps")
SMS_DETAILS: tuple[str, ...] = ("SMS: quick follow-up", "SMS: tour reminder", "SMS: new listing alert")
SOCIAL_MESSAGES: tuple[str, ...] = ("LinkedIn message: introduction", "LinkedIn message: follow-up")
FIRST_RESPONSE_DETAILS: tuple[str, ...] = ("Speed-to-lead call", "Email: thanks for your inquiry")
INBOUND_CALLS: tuple[str, ...] = (
    "Inbound call: question about a listing",
    "Inbound call: callback request",
    "Inbound call: pricing question",
)
INBOUND_EMAILS: tuple[str, ...] = (
    "Email: question about availability",
    "Email: requesting floor plans",
    "Email: reply to proposal",
)
