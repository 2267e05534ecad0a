/**
 * Word lists for the synthetic organisation. Vendor categories drive each vendor's default
 * expense account, its typical bill size and the look of its name.
 */

export interface VendorCategory {
  readonly label: string
  /** Account number (in CHART_TEMPLATE) a bill line posts to by default. */
  readonly account: string
  readonly minCents: number
  readonly maxCents: number
  readonly nouns: ReadonlyArray<string>
  readonly lineDescriptions: ReadonlyArray<string>
  /** Lines carry items (inventory purchases). */
  readonly usesItems?: boolean
  /** Relative frequency of vendors in this category. */
  readonly weight: number
}

export const VENDOR_CATEGORIES: ReadonlyArray<VendorCategory> = [
  {
    label: "software",
    account: "6020",
    minCents: 1_900,
    maxCents: 450_000,
    weight: 10,
    nouns: ["Software", "Cloud", "Analytics", "Systems", "Data", "Labs"],
    lineDescriptions: ["Annual subscription", "Monthly seats", "Usage overage", "Support plan", "API credits"]
  },
  {
    label: "office",
    account: "6050",
    minCents: 1_500,
    maxCents: 90_000,
    weight: 8,
    nouns: ["Office Supply", "Paper", "Stationers", "Office Products"],
    lineDescriptions: ["Printer paper", "Toner cartridges", "Desk supplies", "Breakroom supplies", "Shipping boxes"]
  },
  {
    label: "rent",
    account: "6030",
    minCents: 250_000,
    maxCents: 1_400_000,
    weight: 2,
    nouns: ["Properties", "Realty", "Property Management", "Holdings"],
    lineDescriptions: ["Office rent", "Common area maintenance", "Parking"]
  },
  {
    label: "utilities",
    account: "6040",
    minCents: 8_000,
    maxCents: 160_000,
    weight: 3,
    nouns: ["Power", "Energy", "Water", "Gas & Electric"],
    lineDescriptions: ["Electricity", "Water and sewer", "Natural gas", "Waste collection"]
  },
  {
    label: "legal",
    account: "6061",
    minCents: 50_000,
    maxCents: 1_800_000,
    weight: 3,
    nouns: ["Law Group", "Legal", "& Partners LLP", "Law Offices"],
    lineDescriptions: ["Contract review", "Corporate filings", "Trademark registration", "Legal retainer"]
  },
  {
    label: "accounting",
    account: "6062",
    minCents: 30_000,
    maxCents: 900_000,
    weight: 3,
    nouns: ["CPAs", "Accounting", "Tax Advisors", "Bookkeeping"],
    lineDescriptions: ["Monthly close", "Tax preparation", "Audit fieldwork", "Payroll tax filing"]
  },
  {
    label: "marketing",
    account: "6010",
    minCents: 20_000,
    maxCents: 2_500_000,
    weight: 6,
    nouns: ["Media", "Marketing", "Creative", "Advertising", "Digital"],
    lineDescriptions: ["Paid search campaign", "Trade show booth", "Design services", "Sponsored content", "Print ads"]
  },
  {
    label: "travel",
    account: "6070",
    minCents: 9_000,
    maxCents: 480_000,
    weight: 4,
    nouns: ["Travel", "Airlines", "Hotels", "Car Rental"],
    lineDescriptions: ["Airfare", "Hotel stay", "Ground transportation", "Conference travel"]
  },
  {
    label: "meals",
    account: "6080",
    minCents: 4_000,
    maxCents: 120_000,
    weight: 3,
    nouns: ["Catering", "Kitchen", "Bistro", "Events"],
    lineDescriptions: ["Team lunch catering", "Client dinner", "Offsite catering"]
  },
  {
    label: "insurance",
    account: "6090",
    minCents: 40_000,
    maxCents: 700_000,
    weight: 2,
    nouns: ["Insurance", "Mutual", "Assurance", "Underwriters"],
    lineDescriptions: ["General liability premium", "Workers comp premium", "Cyber policy", "D&O premium"]
  },
  {
    label: "repairs",
    account: "6100",
    minCents: 10_000,
    maxCents: 350_000,
    weight: 4,
    nouns: ["Maintenance", "Facilities", "Repair", "HVAC Services", "Janitorial"],
    lineDescriptions: ["HVAC service", "Plumbing repair", "Cleaning services", "Electrical work"]
  },
  {
    label: "telecom",
    account: "6110",
    minCents: 6_000,
    maxCents: 95_000,
    weight: 3,
    nouns: ["Telecom", "Wireless", "Networks", "Communications", "Fiber"],
    lineDescriptions: ["Internet service", "Mobile plans", "Phone lines", "Conference bridge"]
  },
  {
    label: "shipping",
    account: "6120",
    minCents: 2_000,
    maxCents: 220_000,
    weight: 4,
    nouns: ["Freight", "Logistics", "Courier", "Express", "Shipping"],
    lineDescriptions: ["Outbound shipping", "Courier delivery", "Pallet freight", "Postage"]
  },
  {
    label: "materials",
    account: "5010",
    minCents: 50_000,
    maxCents: 3_200_000,
    weight: 7,
    usesItems: true,
    nouns: ["Manufacturing", "Materials", "Components", "Industrial Supply", "Wholesale"],
    lineDescriptions: ["Raw materials", "Components", "Packaging materials", "Parts order"]
  },
  {
    label: "equipment",
    account: "1510",
    minCents: 80_000,
    maxCents: 1_200_000,
    weight: 2,
    nouns: ["Computers", "Technology", "Hardware", "Equipment"],
    lineDescriptions: ["Laptops", "Monitors", "Network switch", "Server hardware"]
  },
  {
    label: "payroll",
    account: "6130",
    minCents: 15_000,
    maxCents: 600_000,
    weight: 2,
    nouns: ["Payroll", "HR Solutions", "Staffing", "People Services"],
    lineDescriptions: ["Payroll processing fee", "Contract staffing", "Benefits administration"]
  }
]

export const NAME_PREFIXES: ReadonlyArray<string> = [
  "Acme",
  "Apex",
  "Atlas",
  "Beacon",
  "Blue Harbor",
  "Bright",
  "Cascade",
  "Cedar",
  "Coastal",
  "Copper",
  "Crescent",
  "Delta",
  "Evergreen",
  "Falcon",
  "Frontier",
  "Golden Gate",
  "Granite",
  "Harbor",
  "Highland",
  "Horizon",
  "Ironwood",
  "Keystone",
  "Lakeside",
  "Liberty",
  "Lone Star",
  "Maple",
  "Meridian",
  "Mission",
  "North Star",
  "Oakridge",
  "Pacific",
  "Pinnacle",
  "Prairie",
  "Redwood",
  "Riverbend",
  "Sierra",
  "Silverline",
  "Summit",
  "Sunrise",
  "Tidewater",
  "Trident",
  "Union",
  "Vanguard",
  "Vista",
  "Westfield",
  "Willow"
]

export const NAME_SUFFIXES: ReadonlyArray<string> = ["Inc.", "LLC", "Co.", "Group", "Corp.", "Ltd.", ""]

export const FIRST_NAMES: ReadonlyArray<string> = [
  "Alex",
  "Jordan",
  "Sam",
  "Morgan",
  "Taylor",
  "Casey",
  "Riley",
  "Jamie",
  "Avery",
  "Quinn",
  "Drew",
  "Reese",
  "Maria",
  "James",
  "Priya",
  "Wei",
  "Fatima",
  "Diego",
  "Hannah",
  "Noah",
  "Olivia",
  "Ethan",
  "Aisha",
  "Lucas"
]

export const LAST_NAMES: ReadonlyArray<string> = [
  "Rivera",
  "Lee",
  "Patel",
  "Chen",
  "Brooks",
  "Nguyen",
  "Garcia",
  "Kim",
  "Johnson",
  "Okafor",
  "Schmidt",
  "Rossi",
  "Silva",
  "Cohen",
  "Murphy",
  "Tanaka",
  "Hughes",
  "Ward",
  "Foster",
  "Lopez",
  "Bennett",
  "Singh"
]

export const STREETS: ReadonlyArray<string> = [
  "Market St",
  "Main St",
  "Oak Ave",
  "Mission Blvd",
  "Broadway",
  "Elm St",
  "Industrial Pkwy",
  "Harbor Dr",
  "Commerce Way",
  "Pine St",
  "Cedar Ln",
  "Park Ave",
  "Lakeview Rd",
  "Sunset Blvd",
  "Technology Dr"
]

export const CITIES: ReadonlyArray<readonly [city: string, state: string, zip: string]> = [
  ["San Francisco", "CA", "941"],
  ["Oakland", "CA", "946"],
  ["San Jose", "CA", "951"],
  ["Los Angeles", "CA", "900"],
  ["Seattle", "WA", "981"],
  ["Portland", "OR", "972"],
  ["Denver", "CO", "802"],
  ["Austin", "TX", "787"],
  ["Dallas", "TX", "752"],
  ["Chicago", "IL", "606"],
  ["Minneapolis", "MN", "554"],
  ["Atlanta", "GA", "303"],
  ["Miami", "FL", "331"],
  ["Boston", "MA", "021"],
  ["New York", "NY", "100"],
  ["Newark", "NJ", "071"],
  ["Philadelphia", "PA", "191"],
  ["Phoenix", "AZ", "850"],
  ["Salt Lake City", "UT", "841"],
  ["Nashville", "TN", "372"]
]

export const DEPARTMENTS: ReadonlyArray<string> = [
  "Operations",
  "Sales",
  "Engineering",
  "Finance",
  "Marketing",
  "Customer Success",
  "People",
  "Research",
  "Legal",
  "Facilities",
  "IT",
  "Procurement"
]
export const LOCATIONS: ReadonlyArray<string> = [
  "Headquarters",
  "Austin Office",
  "New York Office",
  "Remote",
  "Warehouse",
  "Denver Office",
  "London Office",
  "Chicago Office",
  "Seattle Office",
  "Boston Office"
]
export const JOBS: ReadonlyArray<string> = [
  "Website Redesign",
  "Warehouse Fit-out",
  "ERP Migration",
  "Product Launch",
  "Office Move",
  "Trade Show 2025",
  "Security Audit",
  "Brand Refresh",
  "Mobile App",
  "Data Platform"
]
export const CLASSES: ReadonlyArray<string> = [
  "Product",
  "Services",
  "Overhead",
  "Wholesale",
  "Retail",
  "Government",
  "Nonprofit",
  "International"
]
export const CUSTOMER_NAMES: ReadonlyArray<string> = [
  "Northwind Traders",
  "Contoso Retail",
  "Fabrikam Outdoor",
  "Tailspin Toys",
  "Wide World Importers",
  "Adventure Works",
  "Proseware",
  "Litware",
  "Woodgrove Foods",
  "Alpine Ski House",
  "Coho Winery",
  "Fourth Coffee",
  "Lucerne Publishing",
  "Margie's Travel",
  "Humongous Insurance",
  "Trey Research"
]
export const ITEM_NAMES: ReadonlyArray<readonly [name: string, type: string]> = [
  ["Aluminum Sheet 4x8", "INVENTORY"],
  ["Steel Fasteners (box)", "INVENTORY"],
  ["Circuit Board Rev C", "INVENTORY"],
  ["Shipping Carton L", "NON_INVENTORY"],
  ["Packing Foam", "NON_INVENTORY"],
  ["Assembly Labor", "SERVICE"],
  ["Installation Service", "SERVICE"],
  ["Consulting Hour", "SERVICE"],
  ["Power Supply 12V", "INVENTORY"],
  ["Enclosure Kit", "INVENTORY_ASSEMBLY"],
  ["Freight Charge", "OTHER_CHARGE"],
  ["Cable Harness", "INVENTORY"],
  ["LED Panel", "INVENTORY"],
  ["Calibration Service", "SERVICE"],
  ["Sensor Module", "INVENTORY"],
  ["Label Roll", "NON_INVENTORY"]
]
