"""The vault's pages, by audience: the survivor's (survivor.py, namespace
`survivor`) and the advocate's (advocate.py, namespace `advocate`), with
what both need to open a record in reading.py."""
