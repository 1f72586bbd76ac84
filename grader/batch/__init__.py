"""`grade batch`: grade a class of submissions, in parallel, resumably, into a gradebook."""
