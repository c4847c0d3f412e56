"""Qt user interface (the only package, with app.main, that imports Qt)."""
