"""Lesson 4, exercise 5 (reference): saturation %, grad:data, update:data."""

import torch


def saturation(t, threshold=0.97):
    return ((t.abs() > threshold).float().mean() * 100).item()


def grad_data_ratio(grad, data):
    return (grad.std() / data.std()).item()


def update_data_ratio(grad, data, lr):
    return ((lr * grad).std() / data.std()).log10().item()
