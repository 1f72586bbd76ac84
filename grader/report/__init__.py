"""One result model, and the formats it is shown in: terminal text, JSON (Gradescope's shape)."""
