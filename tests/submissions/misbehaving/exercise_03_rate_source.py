"""Misbehaving answers to exercise 3."""

import os
import sys


def with_parity(rate):
    os._exit(1)


def parity_totals(rate):
    while True:
        pass


def start_multiples_of_three(rate, query_name, checkpoint):
    while True:  # a huge output, past print()'s capture: it would fill the disk
        sys.__stdout__.write("3" * 1_000_000)
