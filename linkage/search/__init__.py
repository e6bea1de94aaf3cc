"""Finding resources in the index: the client, the document, query builders, ranking and results."""
