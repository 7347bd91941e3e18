"""E-forms (biểu mẫu điện tử): one schema per procedure version, checked and cleaned in plain Python."""
