"""Reports: utilisation and what each country owes the pool, as pages, charts and files."""
