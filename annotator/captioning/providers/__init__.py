"""Built-in providers. Each module imports its SDK only when a caption is asked for."""
