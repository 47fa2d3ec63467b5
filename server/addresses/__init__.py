"""Address points (house numbers): imported from open data, located in polling stations, walked."""
