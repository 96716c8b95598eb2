"""The API's blueprints, one per resource, under ``/v1``."""
