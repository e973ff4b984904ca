"""Code both servers run: the decision table, private logging and the clinic's settings."""
