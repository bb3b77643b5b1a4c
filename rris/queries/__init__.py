"""Read-side selects, institution scoping among them."""
