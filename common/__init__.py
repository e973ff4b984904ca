"""Code both servers run: the decision table, private logging, the clinic's settings and profile."""
