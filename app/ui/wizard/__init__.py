"""First-run setup wizard (also opened from Tools > Setup wizard…)."""

from app.ui.wizard.wizard import SetupWizard, run_setup_wizard

__all__ = ["SetupWizard", "run_setup_wizard"]
