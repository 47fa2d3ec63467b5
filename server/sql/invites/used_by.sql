UPDATE invites SET used_by = $2 WHERE id = $1
