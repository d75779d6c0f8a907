"""The built-in rules, grouped by what they inspect. Each module is a plugin."""
