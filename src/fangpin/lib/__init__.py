"""Pure helpers with no database or Django dependency."""
