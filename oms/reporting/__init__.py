"""Reporting: order tickets, execution quality (TCA) and their terminal, Markdown and HTML renderings."""
