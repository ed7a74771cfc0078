"""The answer to a sign-in."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LoginResult:
    user_name: str
    account_alias: str
    location_alias: str
    roles: tuple[str, ...]
    bearer_token: str = field(repr=False)  # never in a repr or a log line

    def __str__(self) -> str:
        return f"{self.user_name} ({self.account_alias})"
