"""Who may use the API: personal tokens, and the roles allowed to read and to write.

A client sends ``Authorization: Token <key>``. The key is hashed and looked up
by its hash, so no stored secret is ever compared character by character.
Signed-in browsers (Swagger UI) use the session instead.
"""

import hmac

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from .access import ANY_ROLE, has_role
from .models import ApiToken, Role
from .services import api_token_mark_used


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` with a hashed, revocable ApiToken.

    DRF's parent class parses the header (and answers 401 for a malformed one);
    this class only checks the key.
    """

    keyword = "Token"

    def authenticate_credentials(self, key):
        key_hash = ApiToken.hash_key(key)
        token = ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
        if token is None or not hmac.compare_digest(token.key_hash, key_hash):
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.is_revoked:
            raise exceptions.AuthenticationFailed("This token is revoked; make a new one on the API tokens page.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The account this token belongs to is deactivated.")
        api_token_mark_used(token=token)
        return token.user, token


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A personal API token, sent as "Token <key>". Make one on the API tokens page.',
        }


class ReadAnyRoleWriteAdmin(permissions.BasePermission):
    """Every role may read; only admins may change anything."""

    read_roles = ANY_ROLE
    write_roles = (Role.ADMIN,)
    message = "Only admins may change data through the API."

    def has_permission(self, request, view):
        roles = self.read_roles if request.method in permissions.SAFE_METHODS else self.write_roles
        return has_role(request.user, *roles)
