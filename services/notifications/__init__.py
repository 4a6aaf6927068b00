"""The one inbox: in-app messages from every domain (tracking, aid, ...) to one account."""
