"""Backcourse: plan, book, record and measure courses of therapeutic back massage."""
