def adults(people):
    return people.filter("age > 18")
