"""Quarterly party-building returns: workbooks in, warehouse, bulletins and feedback out."""
