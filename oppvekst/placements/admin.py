# Placements are children's data: they are changed through the admission and placement pages,
# under the access policy and the audit trail, not in the configuration admin.
