"""Misbehaving answers to exercise 3."""

import os


def with_parity(rate):
    os._exit(1)


def parity_totals(rate):
    while True:
        pass


def start_multiples_of_three(rate, query_name, checkpoint):
    return [0, 3, 6, 9]
