"""Write a HubSpot-style companies export of N demo customers, as messy as real ones."""

import csv
import sys

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))

from customers.demo import DEMO_COLUMNS, demo_customer_rows  # noqa: E402

HEADER = [
    "Record ID",
    "Company name",
    "Company Domain Name",
    "Industry",
    "Country/Region",
    "City",
    "Number of Employees",
    "Annual Revenue",
    "Lifecycle Stage",
    "Create Date",
    "Close Date",
    "Website visits",
    "Email opens",
    "NPS",
]


def write(path: str, count: int, seed: int = 7) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for values in demo_customer_rows(count, seed, []):
            row = dict(zip(DEMO_COLUMNS, values, strict=True))
            writer.writerow(
                [
                    row["external_id"].replace("DEMO-", "HUB-"),
                    row["name"],
                    f"https://www.{row['domain']}/",
                    row["industry"],
                    row["country"],
                    row["city"],
                    f"{row['employees']:,}",
                    f"${row['annual_revenue']:,}",
                    row["lifecycle_stage"].title(),
                    row["crm_created_on"].strftime("%m/%d/%Y"),
                    row["closed_on"].isoformat() if row["closed_on"] else "N/A",
                    row["website_visits_30d"],
                    row["email_opens_30d"],
                    "" if row["nps"] is None else row["nps"],
                ]
            )


if __name__ == "__main__":
    write(sys.argv[1], int(sys.argv[2]))
