"""What harvesters read: the DCAT-AP catalogue, VoID, OAI-PMH, sitemaps and dumps."""
