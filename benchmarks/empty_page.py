"""An empty page: the floor of the page benchmarks (the app's own run: sign-in gate, navigation, sidebar)."""
