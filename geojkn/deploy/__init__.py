"""Files for setting geojkn up in an office: the nginx site that stands in front of `geojkn serve --production`."""
