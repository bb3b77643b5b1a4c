"""Helpers shared by the test suite: free ports and a throwaway PostgreSQL cluster."""
