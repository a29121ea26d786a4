"""The static leaderboard site: page builder, Jinja2 templates, plots and local CSS/JS."""
