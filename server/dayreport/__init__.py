"""The end-of-day report: CSV tables and one offline HTML page (`quadriller report day`)."""
