"""What rules see (the context), the rule model, loading and running rules, suppressions."""
