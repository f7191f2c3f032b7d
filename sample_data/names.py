"""Personal-name data: first names, surnames and the nickname table.

The lists are embedded (no downloads). The main lists are ordered by popularity: first names
roughly follow the US Social Security Administration ranking of the adult population, surnames
the 2010 US Census surname ranking; their weights are a power law of the rank, so common names
(James, Mary, Smith, Johnson) are far more frequent than rare ones. A uniform long tail (rare
first names, compound surnames) holds the rest, as in real populations. Together they give the
property that matters for de-duplication: unrelated people share a full name about as often as
they do in reality (a few percent of 10,000 people; most of a million).

All names are ASCII and contain no spaces, so "First Last" and "LAST, FIRST" strings split
unambiguously; a few carry apostrophes or particles (O'Brien, McDonald) as real data does.
"""

from __future__ import annotations

import numpy as np

MALE_FIRST_NAMES: tuple[str, ...] = (
    "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
    "Christopher", "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven",
    "Andrew", "Paul", "Joshua", "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald",
    "Jason", "Edward", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric", "Jonathan",
    "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel", "Gregory",
    "Alexander", "Patrick", "Frank", "Raymond", "Jack", "Dennis", "Jerry", "Tyler", "Aaron",
    "Jose", "Adam", "Nathan", "Henry", "Zachary", "Douglas", "Peter", "Kyle", "Noah", "Ethan",
    "Jeremy", "Walter", "Christian", "Keith", "Roger", "Terry", "Austin", "Sean", "Gerald",
    "Carl", "Harold", "Dylan", "Arthur", "Lawrence", "Jordan", "Jesse", "Bryan", "Billy",
    "Bruce", "Gabriel", "Joe", "Logan", "Alan", "Juan", "Albert", "Willie", "Elijah", "Wayne",
    "Randy", "Vincent", "Mason", "Roy", "Ralph", "Bobby", "Russell", "Bradley", "Philip",
    "Eugene", "Louis", "Carlos", "Luis", "Victor", "Miguel", "Antonio", "Diego", "Marcus",
    "Omar", "Ahmed", "Mohammed", "Raj", "Arjun", "Wei", "Hiroshi", "Minh", "Tariq", "Darnell",
    "Malik", "Trevor", "Derek", "Shawn", "Travis", "Frederick", "Theodore", "Francis",
    "Leonard", "Martin", "Craig", "Curtis", "Howard", "Todd", "Dale", "Marvin", "Luke",
    "Isaac", "Ian", "Evan", "Caleb", "Owen", "Hunter", "Connor", "Cameron",
)

FEMALE_FIRST_NAMES: tuple[str, ...] = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Sandra", "Margaret", "Ashley", "Kimberly",
    "Emily", "Donna", "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie",
    "Dorothy", "Rebecca", "Sharon", "Laura", "Cynthia", "Amy", "Kathleen", "Angela", "Shirley",
    "Brenda", "Emma", "Anna", "Pamela", "Nicole", "Samantha", "Katherine", "Christine", "Helen",
    "Debra", "Rachel", "Carolyn", "Janet", "Maria", "Catherine", "Heather", "Diane", "Olivia",
    "Julie", "Joyce", "Victoria", "Ruth", "Virginia", "Lauren", "Kelly", "Christina", "Joan",
    "Evelyn", "Judith", "Andrea", "Hannah", "Megan", "Cheryl", "Jacqueline", "Martha",
    "Madison", "Teresa", "Gloria", "Sara", "Janice", "Ann", "Kathryn", "Abigail", "Sophia",
    "Frances", "Jean", "Alice", "Judy", "Isabella", "Julia", "Grace", "Amber", "Denise",
    "Danielle", "Marilyn", "Beverly", "Charlotte", "Natalie", "Theresa", "Diana", "Brittany",
    "Doris", "Kayla", "Alexis", "Lori", "Marie", "Tiffany", "Allison", "Madeline", "Josephine",
    "Vanessa", "Monica", "Erin", "Jasmine", "Priya", "Mei", "Aisha", "Fatima", "Yuki", "Ana",
    "Sofia", "Lucia", "Alexandra", "Valerie", "Tara", "Stacy", "Wendy", "Gina", "Leah",
    "Courtney", "Crystal", "Erica", "Holly", "Kristen", "Melanie", "Rosa", "Yolanda", "Lydia",
    "Naomi", "Chloe", "Zoe", "Ava", "Mia", "Claire", "Audrey", "Paige", "Morgan",
)

# Less common first names: the long tail that keeps unrelated people from sharing full names
# far more often than they do in real data. Sampled uniformly within the tail.
RARE_MALE_FIRST_NAMES: tuple[str, ...] = (
    "Ezra", "Silas", "Felix", "Jasper", "Hugo", "Rhys", "Declan", "Rowan", "Emmett", "Beckett",
    "Calvin", "Desmond", "Elliott", "Everett", "Fletcher", "Gideon", "Harvey", "Ivan", "Jude",
    "Lionel", "Milo", "Nolan", "Oscar", "Porter", "Quentin", "Reid", "Rocco", "Roland", "Rufus",
    "Simon", "Tobias", "Ulysses", "Vaughn", "Wesley", "Xavier", "Yusuf", "Zane", "Abel", "Alvin",
    "Amos", "Angus", "Barrett", "Bennett", "Boris", "Brock", "Byron", "Clark", "Clifford",
    "Conrad", "Cyrus", "Dalton", "Dante", "Darius", "Dexter", "Dominic", "Edgar", "Elias",
    "Emil", "Enzo", "Ernesto", "Fabian", "Fernando", "Franklin", "Gordon", "Grady", "Hector",
    "Ibrahim", "Irving", "Jonah", "Julian", "Kai", "Keegan", "Lamar", "Leon", "Lorenzo",
    "Malcolm", "Marco", "Mateo", "Maxwell", "Nikolai", "Otis", "Pablo", "Rafael", "Ramon",
    "Reggie", "Rodrigo", "Santiago", "Sergio", "Stuart", "Thaddeus", "Tristan", "Vernon",
    "Wallace", "Warren", "Winston", "Yosef", "Kenji", "Hamza", "Anil", "Vikram", "Sanjay", "Jin",
    "Tuan", "Kofi", "Emeka",
)
RARE_FEMALE_FIRST_NAMES: tuple[str, ...] = (
    "Ada", "Adele", "Agnes", "Alma", "Astrid", "Beatrice", "Bianca", "Blair", "Bridget",
    "Camille", "Cecilia", "Celeste", "Cora", "Daphne", "Delia", "Edith", "Eleanor", "Elise",
    "Eloise", "Esme", "Esther", "Fiona", "Flora", "Freya", "Gemma", "Georgia", "Greta", "Gwen",
    "Harriet", "Hazel", "Imogen", "Ines", "Ingrid", "Iris", "Isla", "Ivy", "Jade", "June",
    "Juno", "Keira", "Lena", "Lila", "Louisa", "Lucille", "Mabel", "Maeve", "Margot", "Marisol",
    "Matilda", "Maxine", "Mira", "Miriam", "Nadia", "Nell", "Nina", "Noor", "Opal", "Ophelia",
    "Penelope", "Phoebe", "Pilar", "Rhea", "Rosalind", "Ruby", "Sabrina", "Selma", "Sienna",
    "Simone", "Stella", "Sylvia", "Tamsin", "Thea", "Ursula", "Vera", "Violet", "Willa",
    "Winifred", "Xiomara", "Yara", "Zara", "Zelda", "Anjali", "Deepa", "Sunita", "Hana", "Keiko",
    "Mai", "Linh", "Thu", "Chiara", "Ximena", "Paloma", "Renata", "Graciela", "Amara", "Chioma",
    "Ngozi", "Leilani", "Kalani",
)

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson",
    "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price",
    "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
    "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler",
    "Henderson", "Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan",
    "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno",
    "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina",
    "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison",
    "Fernandez", "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry",
    "Chen", "Freeman", "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson",
    "Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon", "Munoz",
    "Hunt", "Hicks", "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd", "Rose",
    "Stone", "Salazar", "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza",
    "Daniels", "Ferguson", "Nichols", "Stephens", "Soto", "Weaver", "Ryan", "Gardner", "Payne",
    "Grant", "Dunn", "Kelley", "Spencer", "Hawkins", "Arnold", "Pierce", "Vazquez", "Hansen",
    "Peters", "Santos", "Hart", "Bradley", "Knight", "Elliott", "Cunningham", "Duncan",
    "Armstrong", "Hudson", "Carroll", "Lane", "Riley", "Andrews", "Alvarado", "Ray", "Delgado",
    "Berry", "Perkins", "Hoffman", "Johnston", "Matthews", "Pena", "Richards", "Contreras",
    "Willis", "Carpenter", "Lawrence", "Sandoval", "Guerrero", "George", "Chapman", "Rios",
    "Estrada", "Ortega", "Watkins", "Greene", "Nunez", "Wheeler", "Valdez", "Harper", "Burke",
    "Larson", "Santiago", "Maldonado", "Morrison", "Franklin", "Carlson", "Austin", "Dominguez",
    "Carr", "Lawson", "Jacobs", "O'Brien", "Lynch", "Singh", "Vega", "Bishop", "Montgomery",
    "Oliver", "Jensen", "Harvey", "Williamson", "Gilbert", "Dean", "Sims", "Espinoza", "Howell",
    "Li", "Wong", "Reid", "Hanson", "Le", "McCoy", "Garrett", "Burton", "Fuller", "Wang",
    "Weber", "Welch", "Rojas", "Lucas", "Marquez", "Fields", "Park", "Yang", "Little", "Banks",
    "Padilla", "Day", "Walsh", "Bowman", "Schultz", "Luna", "Fowler", "Mejia", "Davidson",
    "Acosta", "Brewer", "May", "Holland", "Juarez", "Newman", "Pearson", "Curtis", "Cortez",
    "Douglas", "Schneider", "Joseph", "Barrett", "Navarro", "Figueroa", "Keller", "Avila",
    "Wade", "Molina", "Stanley", "Hopkins", "Campos", "Barnett", "Bates", "Chambers",
    "Caldwell", "Beck", "Lambert", "Miranda", "Byrd", "Craig", "Ayala", "Lowe", "Frazier",
    "Powers", "Neal", "Leonard", "Gregory", "Carrillo", "Sutton", "Fleming", "Rhodes",
    "Shelton", "Schwartz", "Norris", "Jennings", "Watts", "Duran", "Walters", "Cohen",
    "McDaniel", "Moran", "Parks", "Steele", "Vaughn", "Becker", "Holt", "Deleon", "Barker",
    "Terry", "Hale", "Leon", "Benson", "Haynes", "Horton", "Miles", "Lyons", "Pham", "Graves",
    "Bush", "Thornton", "Wolfe", "Warner", "Cabrera", "McKinney", "Mann", "Zimmerman",
    "Dawson", "Lara", "Fletcher", "Page", "McCarthy", "Love", "Robles", "Cervantes", "Solis",
    "Erickson", "Reeves", "Chang", "Klein", "Salinas", "Fuentes", "Baldwin", "Daniel", "Simon",
    "Velasquez", "Hardy", "Higgins", "Aguirre", "Lin", "Cummings", "Chandler", "Sharp",
    "Barber", "Bowen", "Ochoa", "Dennis", "Robbins", "Liu", "Ramsey", "Francis", "Griffith",
    "Paul", "Blair", "O'Connor", "Cardenas", "Pacheco", "Cross", "Calderon", "Quinn", "Moss",
    "Swanson", "Chan", "Rivas", "Khan", "Rodgers", "Serrano", "Fitzgerald", "Rosales",
    "Stevenson", "Christensen", "Manning", "Gill", "Curry", "McLaughlin", "Harmon", "McGee",
    "Gross", "Doyle", "Garner", "Newton", "Burgess", "Reese", "Walton", "Blake", "Trujillo",
    "Adkins", "Brady", "Goodman", "Roman", "Webster", "Goodwin", "Fischer", "Huang", "Potter",
    "Delacruz", "Montoya", "Todd", "Wu", "Hines", "Mullins", "Castaneda", "Malone", "Cannon",
    "Tate", "Mack", "Sherman", "Hubbard", "Hodges", "Zhang", "Guerra", "Wolf", "Valencia",
    "Saunders", "Franco", "Rowe", "Gallagher", "Farmer", "Hammond", "Hampton", "Townsend",
    "Ingram", "Wise", "Gallegos", "Clarke", "Barton", "Schroeder", "Maxwell", "Waters", "Logan",
    "Camacho", "Strickland", "Norman", "Person", "Colon", "Parsons", "Frank", "Harrington",
    "Glover", "Osborne", "Buchanan", "Casey", "Floyd", "Patton", "Ibarra", "Ball", "Tyler",
    "Suarez", "Bowers", "Orozco", "Salas", "Cobb", "Gibbs", "Andrade", "Bauer", "Conner",
    "Moody", "Escobar", "McGuire", "Lloyd", "Mueller", "Hartman", "French", "Kramer",
    "McBride", "Pope", "Lindsey", "Velazquez", "Norton", "McCormick", "Sparks", "Flynn",
    "Yates", "Hogan", "Marsh", "Macias", "Villanueva", "Zamora", "Pratt", "Stokes", "Owen",
    "Ballard", "Lang", "Brock", "Villarreal", "Charles", "Drake", "Barrera", "Cain", "Patrick",
    "Pineda", "Burnett", "Mercado", "Santana", "Shepherd", "Bautista", "Ali", "Shaffer", "Lamb",
    "Trevino", "McKenzie", "Hess", "Olsen", "Cochran", "Morton", "Nash", "Wilkins", "Petersen",
    "Briggs", "Shah", "Roth", "Nicholson", "Holloway", "Lozano", "Rangel", "Flowers", "Hoover",
    "Short", "Arias", "Mora", "Valenzuela", "Bryan", "Meyers", "Weiss", "Underwood", "Bass",
    "Greer", "Summers", "Houston", "Carson", "Morrow", "Clayton", "Whitaker", "Decker",
    "Yoder", "Collier", "Zuniga", "Carey", "Wilcox", "Melendez", "Poole", "Roberson", "Larsen",
    "Conley", "Davenport", "Copeland", "Massey", "Lam", "Huff", "Rocha", "Cameron", "Jefferson",
    "Hood", "Monroe", "Anthony", "Pittman", "Huynh", "Randall", "Singleton", "Kirk", "Combs",
    "Mathis", "Christian", "Skinner", "Bradford", "Richard", "Galvan", "Wall", "Boone", "Kirby",
    "Wilkinson", "Bridges", "Bruce", "Atkinson", "Velez", "Meza", "Roy", "Vincent", "York",
    "Hodge", "Villa", "Abbott", "Allison", "Tapia", "Gates", "Chase", "Sosa", "Sweeney",
    "Farrell", "Wyatt", "Dalton", "Horn", "Barron", "Phelps", "Yu", "Dickerson", "Heath",
    "Foley", "Atkins", "Mathews", "Bonilla", "Acevedo", "Benitez", "Zavala", "Hensley", "Glenn",
    "Cisneros", "Harrell", "Shields", "Rubio", "Huffman", "Choi", "Boyer", "Garrison", "Arroyo",
    "Bond", "Kane", "Hancock", "Callahan", "Dillon", "Cline", "Wiggins", "Grimes", "Arellano",
    "Melton", "O'Neill", "Savage", "Ho", "Beltran", "Pitts", "Parrish", "Ponce", "Rich",
    "Booth", "Koch", "Golden", "Ware", "Brennan", "McDowell", "Marks", "Cantu", "Humphrey",
    "Baxter", "Sawyer", "Clay", "Tanner", "Hutchinson", "Kaur", "Berg", "Wiley", "Gilmore",
    "Russo", "Villegas", "Hobbs", "Keith", "Wilkerson", "Ahmed", "Beard", "McClain", "Montes",
    "Mata", "Rosario", "Vang", "Walter", "Henson", "O'Neal", "Mosley", "McClure", "Beasley",
    "Stephenson", "Snow", "Huerta", "Preston", "Vance", "Barry", "Johns", "Eaton",
    "Blackwell", "Dyer", "Prince", "MacDonald", "Solomon", "Guevara", "Stafford", "English",
    "Hurst", "Woodard", "Cortes", "Shannon", "Kemp", "Nolan", "McCullough", "Merritt",
    "Murillo", "Moon", "Salgado", "Strong", "Kline", "Cordova", "Barajas", "Roach", "Rosas",
    "Winters", "Jacobson", "Lester", "Knox", "Bullock", "Kerr", "Leach", "Meadows", "Orr",
    "Davila", "Whitehead", "Pruitt", "Kent", "Conway", "McKee", "Barr", "David", "Dejesus",
    "Marin", "Berger", "McIntyre", "Blankenship", "Gaines", "Palacios", "Cuevas", "Bartlett",
    "Durham", "Dorsey", "McCall", "O'Donnell", "Stein", "Browning", "Stout", "Lowery", "Sloan",
    "McLean", "Hendricks", "Calhoun", "Sexton", "Chung", "Gentry", "Hull", "Duarte", "Ellison",
    "Nielsen", "Gillespie", "Buck", "Middleton", "Sellers", "Leblanc", "Esparza", "Hardin",
    "Bradshaw", "McIntosh", "Howe", "Livingston", "Frost", "Glass", "Morse", "Knapp", "Herman",
    "Stark", "Bravo", "Noble", "Spears", "Weeks", "Corona", "Frederick", "Buckley",
    "McFarland", "Hebert", "Enriquez", "Hickman", "Quintero", "Randolph", "Schaefer", "Walls",
    "Trejo", "House", "Reilly", "Pennington", "Michael", "Conrad", "Giles", "Benjamin",
    "Crosby", "Fitzpatrick", "Donovan", "Mays", "Mahoney", "Valentine", "Raymond", "Medrano",
    "Hahn", "McMillan", "Small", "Bentley", "Felix", "Peck", "Lucero", "Boyle", "Hanna", "Pace",
    "Rush", "Hurley", "Harding", "McConnell", "Bernal", "Nava", "Ayers", "Everett", "Ventura",
    "Avery", "Pugh", "Mayer", "Bender", "Shepard", "McMahon", "Landry", "Case", "Sampson",
    "Moses", "Magana", "Blackburn", "Dunlap", "Gould", "Duffy", "Vaughan", "Herring", "McKay",
    "Espinosa", "Rivers", "Farley", "Bernard", "Ashley", "Friedman", "Potts", "Truong", "Costa",
    "Correa", "Blevins", "Nixon", "Clements", "Fry", "Delarosa", "Best", "Benton", "Lugo",
    "Portillo", "Dougherty", "Crane", "Haley", "Phan", "Villalobos", "Blanchard", "Horne",
    "Finley", "Quintana", "Lynn", "Esquivel", "Bean", "Dodson", "Mullen", "Xiong", "Hayden",
    "Cano", "Levy", "Huber", "Richmond", "Moyer", "Lim", "Frye", "Sheppard", "McCarty",
    "Avalos", "Booker", "Waller", "Parra", "Woodward", "Jaramillo", "Krueger", "Rasmussen",
    "Brandt", "Peralta", "Donaldson", "Stuart", "Faulkner", "Maynard", "Galindo", "Coffey",
    "Estes", "Sanford", "Burch", "Maddox", "Vo", "O'Connell", "Vu", "Andersen", "Spence",
    "McPherson", "Church", "Schmitt", "Stanton", "Leal", "Cherry", "Compton", "Dudley",
    "Sierra", "Pollard", "Alfaro", "Hester", "Proctor", "Lu", "Hinton", "Novak", "Good",
    "Madden", "McCann", "Terrell", "Jarvis", "Dickson", "Reyna", "Cantrell", "Mayo", "Branch",
    "Hendrix", "Rollins", "Rowland", "Whitney", "Duke", "Odom", "Daugherty", "Travis", "Tang",
)

# The surname tail: English locational compounds (Ashford, Whitmore, Stanwick ...). Real US
# surnames have a tail of >100,000 names holding ~40 % of people; without one, a list of a
# thousand names makes almost everybody in a million-lead data set a namesake of somebody.
_SURNAME_HEADS = (
    "Ash", "Black", "Brad", "Brook", "Bur", "Cal", "Chad", "Chat", "Clay", "Cole", "Crom", "Dal",
    "Dar", "Den", "Dun", "East", "Ed", "Elm", "Fair", "Fern", "Gil", "Glen", "Gold", "Green",
    "Hal", "Ham", "Hart", "Hay", "Hol", "Kings", "Lang", "Lock", "Mar", "Mid", "Mil", "Mor",
    "New", "North", "Oak", "Pem", "Pen", "Ran", "Red", "Rich", "Roth", "Rut", "Sand", "Shel",
    "South", "Stan", "Stock", "Strat", "Thorn", "Wal", "War", "Wel", "West", "Whit", "Wil", "Wins",
)
_SURNAME_ENDS = (
    "by", "ford", "ton", "ley", "well", "wood", "worth", "ham", "field", "more", "dale", "bury",
    "stead", "wick", "land", "man", "son", "er", "berg", "stone", "bridge", "croft", "hurst", "combe",
)
TAIL_LAST_NAMES: tuple[str, ...] = tuple(sorted(
    {h + e for h in _SURNAME_HEADS for e in _SURNAME_ENDS if h[-1] != e[0]} - set(LAST_NAMES)
))

# Formal first name -> common nicknames. Every key is in one of the first-name lists above.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"),
    "William": ("Bill", "Will", "Billy"),
    "Elizabeth": ("Liz", "Beth", "Betsy", "Lizzie"),
    "Katherine": ("Kate", "Katie", "Kathy"),
    "Catherine": ("Cathy", "Cate"),
    "Kathleen": ("Kathy", "Kate"),
    "Michael": ("Mike", "Mikey"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "Jennifer": ("Jen", "Jenny"),
    "Richard": ("Rick", "Rich", "Dick"),
    "Thomas": ("Tom", "Tommy"),
    "Joseph": ("Joe", "Joey"),
    "Christopher": ("Chris",),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Anthony": ("Tony",),
    "Steven": ("Steve",),
    "Stephen": ("Steve",),
    "Andrew": ("Andy", "Drew"),
    "Joshua": ("Josh",),
    "Nicholas": ("Nick",),
    "Jonathan": ("Jon",),
    "Benjamin": ("Ben",),
    "Samuel": ("Sam",),
    "Alexander": ("Alex",),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Charles": ("Charlie", "Chuck"),
    "David": ("Dave",),
    "Gregory": ("Greg",),
    "Timothy": ("Tim",),
    "Kenneth": ("Ken", "Kenny"),
    "Ronald": ("Ron",),
    "Donald": ("Don",),
    "Gerald": ("Jerry",),
    "Lawrence": ("Larry",),
    "Raymond": ("Ray",),
    "Peter": ("Pete",),
    "Zachary": ("Zach",),
    "Jacob": ("Jake",),
    "Nathan": ("Nate",),
    "Douglas": ("Doug",),
    "Philip": ("Phil",),
    "Gabriel": ("Gabe",),
    "Vincent": ("Vince",),
    "Jeffrey": ("Jeff",),
    "Bradley": ("Brad",),
    "Frederick": ("Fred",),
    "Theodore": ("Ted", "Teddy"),
    "Leonard": ("Len", "Leo"),
    "Patricia": ("Pat", "Patty", "Trish"),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "Susan": ("Sue", "Suzy"),
    "Deborah": ("Deb", "Debbie"),
    "Rebecca": ("Becky", "Becca"),
    "Jessica": ("Jess",),
    "Kimberly": ("Kim",),
    "Christine": ("Chris", "Tina"),
    "Christina": ("Tina", "Chris"),
    "Victoria": ("Vicky", "Tori"),
    "Samantha": ("Sam",),
    "Abigail": ("Abby",),
    "Cynthia": ("Cindy",),
    "Pamela": ("Pam",),
    "Stephanie": ("Steph",),
    "Judith": ("Judy",),
    "Barbara": ("Barb",),
    "Sandra": ("Sandy",),
    "Melissa": ("Missy", "Mel"),
    "Amanda": ("Mandy",),
    "Jacqueline": ("Jackie",),
    "Teresa": ("Terri",),
    "Allison": ("Ally",),
    "Madeline": ("Maddie",),
    "Natalie": ("Nat",),
    "Olivia": ("Liv",),
    "Josephine": ("Jo", "Josie"),
    "Frances": ("Fran",),
    "Alexandra": ("Alex", "Lexi"),
    "Valerie": ("Val",),
}

# Power-law exponents of rank -> weight within the ranked lists. In the 2010 Census Smith
# (rank 1) has ~2.4M bearers and rank-1000 surnames ~30k; first names are more concentrated at
# the top (James, Mary) than surnames.
FIRST_NAME_EXPONENT = 0.6
LAST_NAME_EXPONENT = 0.5
RARE_FIRST_NAME_SHARE = 0.25  # of each gender's people carry a name from the rare list
TAIL_LAST_NAME_SHARE = 0.40  # of people carry a surname from the tail


def rank_weights(n: int, exponent: float) -> np.ndarray:
    """Normalized sampling weights for a list ordered by popularity (rank 1 = most common)."""
    w = np.arange(1, n + 1, dtype=np.float64) ** -exponent
    return w / w.sum()


def _with_tail(ranked: tuple[str, ...], tail: tuple[str, ...], exponent: float, tail_share: float
               ) -> tuple[tuple[str, ...], np.ndarray]:
    weights = np.concatenate([
        rank_weights(len(ranked), exponent) * (1 - tail_share),
        np.full(len(tail), tail_share / len(tail)),
    ])
    return ranked + tail, weights


def first_names() -> tuple[tuple[str, ...], np.ndarray]:
    """All first names and their sampling weights (half male, half female)."""
    male, wm = _with_tail(MALE_FIRST_NAMES, RARE_MALE_FIRST_NAMES, FIRST_NAME_EXPONENT, RARE_FIRST_NAME_SHARE)
    female, wf = _with_tail(FEMALE_FIRST_NAMES, RARE_FEMALE_FIRST_NAMES, FIRST_NAME_EXPONENT, RARE_FIRST_NAME_SHARE)
    return male + female, np.concatenate([wm, wf]) / 2


def last_names() -> tuple[tuple[str, ...], np.ndarray]:
    """All surnames and their sampling weights."""
    return _with_tail(LAST_NAMES, TAIL_LAST_NAMES, LAST_NAME_EXPONENT, TAIL_LAST_NAME_SHARE)
