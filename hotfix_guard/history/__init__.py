"""Every hotfix in history (audit, status, HG008, HG009): the graph, versions, tags."""
