"""Writers over one Report: text for the terminal, JSON (spec §6) and the annotated workbook."""
