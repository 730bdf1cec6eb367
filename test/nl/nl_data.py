"""Generated data for the English translator's evaluation: seed 002's schemas (users, profiles,
addresses; orders, payments, reviews; page_views, events, search_history; sessions, cart_items)
and seed 000's (customers; transactions, products), as SQLite files, one per source, with a
renamed copy (other table names) so that nothing is tuned to names. Dates are relative to today."""
import datetime
import random
import sqlite3

# Logical name -> table name in the renamed copy.
RENAMED = {
    "users": "app_user", "profiles": "user_profile", "addresses": "postal_address",
    "orders": "shop_order", "payments": "order_payment", "reviews": "product_review",
    "page_views": "web_page_view", "events": "tracking_event", "search_history": "user_search_history",
    "sessions": "web_session", "cart_items": "cart_item",
    "customers": "crm_customer", "transactions": "sales_transaction", "products": "catalog_product",
}

REGIONS = ["West Coast", "East Coast", "Midwest", "South", "International"]
TIERS = ["Gold", "Silver", "Bronze"]
STATUSES = ["delivered", "shipped", "pending", "cancelled"]
METHODS = ["card", "paypal", "bank_transfer"]
PAGES = ["/home", "/products/monitors", "/products/mice", "/cart", "/checkout"]
EVENT_TYPES = ["click", "scroll", "add_to_cart"]
CATEGORIES = ["Electronics", "Books", "Garden", "Toys"]


def _names(renamed):
    return (lambda n: RENAMED[n]) if renamed else (lambda n: n)


def generate_seed002(folder, today, renamed=False):
    """Four SQLite files standing in for PostgreSQL, MongoDB, Elasticsearch and Redis."""
    t = _names(renamed)
    rnd = random.Random(2002)
    ts = lambda days_ago, secs: (datetime.datetime.combine(today, datetime.time()) -
                                 datetime.timedelta(days=days_ago) +
                                 datetime.timedelta(seconds=secs)).strftime("%Y-%m-%d %H:%M:%S")
    dbs = {}
    pg = sqlite3.connect(f"{folder}/postgresql.db")
    pg.execute(f"CREATE TABLE {t('users')} (id INTEGER PRIMARY KEY, email TEXT, name TEXT, "
               "region TEXT, loyalty_tier TEXT, created_at TIMESTAMP)")
    pg.execute(f"CREATE TABLE {t('profiles')} (id INTEGER PRIMARY KEY, user_id INTEGER, "
               "bio TEXT, age INTEGER, country TEXT)")
    pg.execute(f"CREATE TABLE {t('addresses')} (id INTEGER PRIMARY KEY, user_id INTEGER, "
               "city TEXT, state TEXT, kind TEXT)")
    users = 60
    for i in range(1, users + 1):
        email = "john@example.com" if i == 1 else f"user{i}@example.com"
        pg.execute(f"INSERT INTO {t('users')} VALUES (?,?,?,?,?,?)",
                   (i, email, f"User {i}", rnd.choice(REGIONS), rnd.choice(TIERS),
                    ts(rnd.randint(0, 900), rnd.randint(0, 86399))))
        pg.execute(f"INSERT INTO {t('profiles')} VALUES (?,?,?,?,?)",
                   (i, i, f"bio {i}", rnd.randint(18, 80), rnd.choice(["US", "CA", "UK"])))
        for k in range(rnd.randint(1, 2)):
            pg.execute(f"INSERT INTO {t('addresses')} VALUES (?,?,?,?,?)",
                       (i * 10 + k, i, rnd.choice(["San Francisco", "Austin", "Boston"]),
                        rnd.choice(["CA", "TX", "MA"]), "shipping" if k else "primary"))
    pg.commit()
    mg = sqlite3.connect(f"{folder}/mongodb.db")
    mg.execute(f"CREATE TABLE {t('orders')} (id INTEGER PRIMARY KEY, user_id INTEGER, "
               "total DOUBLE, status TEXT, created_at TIMESTAMP)")
    mg.execute(f"CREATE TABLE {t('payments')} (id INTEGER PRIMARY KEY, order_id INTEGER, "
               "amount DOUBLE, method TEXT, paid_at TIMESTAMP)")
    mg.execute(f"CREATE TABLE {t('reviews')} (id INTEGER PRIMARY KEY, user_id INTEGER, "
               "rating INTEGER, helpful_votes INTEGER, created_at TIMESTAMP)")
    oid = 0
    for i in range(1, users + 1):
        for _ in range(rnd.randint(0, 6)):
            oid += 1
            days = rnd.randint(0, 200)
            total = round(rnd.uniform(5, 500), 2) + oid / 1000.0
            mg.execute(f"INSERT INTO {t('orders')} VALUES (?,?,?,?,?)",
                       (oid, i, total, rnd.choice(STATUSES), ts(days, rnd.randint(0, 86399))))
            mg.execute(f"INSERT INTO {t('payments')} VALUES (?,?,?,?,?)",
                       (oid, oid, total, rnd.choice(METHODS), ts(days, 90000)))
        for r in range(rnd.randint(0, 3)):
            mg.execute(f"INSERT INTO {t('reviews')} VALUES (?,?,?,?,?)",
                       (i * 10 + r, i, rnd.randint(1, 5), rnd.randint(0, 50),
                        ts(rnd.randint(0, 300), rnd.randint(0, 86399))))
    mg.commit()
    es = sqlite3.connect(f"{folder}/elasticsearch.db")
    es.execute(f"CREATE TABLE {t('page_views')} (id INTEGER PRIMARY KEY, user_id INTEGER, "
               "page TEXT, duration_ms INTEGER, viewed_at TIMESTAMP)")
    es.execute(f"CREATE TABLE {t('events')} (id INTEGER PRIMARY KEY, user_id INTEGER, "
               "event_type TEXT, occurred_at TIMESTAMP)")
    es.execute(f"CREATE TABLE {t('search_history')} (id INTEGER PRIMARY KEY, user_id INTEGER, "
               "search_query TEXT, searched_at TIMESTAMP)")
    for k in range(1, 400):
        es.execute(f"INSERT INTO {t('page_views')} VALUES (?,?,?,?,?)",
                   (k, rnd.randint(1, users), rnd.choice(PAGES), rnd.randint(100, 90000) * 7 + k,
                    ts(rnd.randint(0, 60), rnd.randint(0, 86399))))
        es.execute(f"INSERT INTO {t('events')} VALUES (?,?,?,?)",
                   (k, rnd.randint(1, users), rnd.choice(EVENT_TYPES),
                    ts(rnd.randint(0, 60), rnd.randint(0, 86399))))
        if k < 150:
            es.execute(f"INSERT INTO {t('search_history')} VALUES (?,?,?,?)",
                       (k, rnd.randint(1, users),
                        rnd.choice(["wireless mouse ergonomic", "standing desk converter",
                                    "mechanical keyboard quiet"]),
                        ts(rnd.randint(0, 60), rnd.randint(0, 86399))))
    es.commit()
    rd = sqlite3.connect(f"{folder}/redis.db")
    rd.execute(f"CREATE TABLE {t('sessions')} (session_id TEXT PRIMARY KEY, user_id INTEGER, "
               "current_page TEXT, started_at TIMESTAMP)")
    rd.execute(f"CREATE TABLE {t('cart_items')} (id INTEGER PRIMARY KEY, session_id TEXT, "
               "user_id INTEGER, product TEXT, price DOUBLE, quantity INTEGER)")
    for k in range(1, 30):
        u = rnd.randint(1, users)
        rd.execute(f"INSERT INTO {t('sessions')} VALUES (?,?,?,?)",
                   (f"sess_{k:04d}", u, rnd.choice(PAGES), ts(0, rnd.randint(0, 3600))))
        for j in range(rnd.randint(0, 3)):
            rd.execute(f"INSERT INTO {t('cart_items')} VALUES (?,?,?,?,?,?)",
                       (k * 10 + j, f"sess_{k:04d}", u, rnd.choice(["Monitor", "HDMI Cable", "Mouse"]),
                        round(rnd.uniform(5, 400), 2) + k / 100.0, rnd.randint(1, 3)))
    rd.commit()
    return ["postgresql", "mongodb", "elasticsearch", "redis"]


def generate_seed000(folder, today, renamed=False):
    """Seed 000: customers (PostgreSQL stand-in), transactions and products (Iceberg stand-in)."""
    t = _names(renamed)
    rnd = random.Random(2000)
    crm = sqlite3.connect(f"{folder}/postgresql.db")
    crm.execute(f"CREATE TABLE {t('customers')} (customer_id INTEGER PRIMARY KEY, "
                "customer_name TEXT, email TEXT, region TEXT, signup_date DATE)")
    for i in range(1, 80):
        crm.execute(f"INSERT INTO {t('customers')} VALUES (?,?,?,?,?)",
                    (i, f"Customer {i}", f"c{i}@example.com", rnd.choice(REGIONS),
                     (today - datetime.timedelta(days=rnd.randint(0, 900))).isoformat()))
    crm.commit()
    lake = sqlite3.connect(f"{folder}/iceberg.db")
    lake.execute(f"CREATE TABLE {t('products')} (product_id INTEGER PRIMARY KEY, "
                 "product_name TEXT, category TEXT, unit_price DOUBLE)")
    lake.execute(f"CREATE TABLE {t('transactions')} (transaction_id INTEGER PRIMARY KEY, "
                 "customer_id INTEGER, product_id INTEGER, quantity INTEGER, "
                 "transaction_date DATE, total_amount DOUBLE)")
    for p in range(1, 30):
        lake.execute(f"INSERT INTO {t('products')} VALUES (?,?,?,?)",
                     (p, f"Product {p}", rnd.choice(CATEGORIES), round(rnd.uniform(2, 300), 2) + p / 1000))
    for k in range(1, 600):
        q = rnd.randint(1, 5)
        lake.execute(f"INSERT INTO {t('transactions')} VALUES (?,?,?,?,?,?)",
                     (k, rnd.randint(1, 79), rnd.randint(1, 29), q,
                      (today - datetime.timedelta(days=rnd.randint(0, 400))).isoformat(),
                      round(rnd.uniform(5, 900), 2) + k / 10000))
    lake.commit()
    return ["postgresql", "iceberg"]
