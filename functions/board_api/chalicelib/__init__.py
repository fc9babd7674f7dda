"""The board API's route modules (Chalice's folder for code beside app.py), one per capability."""
