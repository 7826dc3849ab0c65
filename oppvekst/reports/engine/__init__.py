"""The statutory reports as pure computations: plain data in, the reported figures out."""
