"""What commands that act as a user share: the user by name, or a Chinese error."""
from __future__ import annotations

from django.core.management.base import CommandError

from .models import User


def user_named(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"用户“{username}”不存在") from None
