"""The app's pages, one module per part of the plan."""
