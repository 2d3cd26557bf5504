import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@identity/common';
import { AccessTokenService } from './access-token.service';

/** Lets other services verify our access tokens offline. */
@ApiTags('discovery')
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly tokens: AccessTokenService) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'Public keys that sign access tokens (current and previous)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object' } } } } })
  jwks() {
    return {
      keys: this.tokens.publishedKeys().map((key) => ({
        ...key.publicKey.export({ format: 'jwk' }),
        kid: key.kid,
        alg: key.algorithm,
        use: 'sig',
      })),
    };
  }

  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'Discovery document: issuer, JWKS location and supported algorithms' })
  @ApiOkResponse({ schema: { type: 'object' } })
  discovery() {
    const issuer = this.tokens.issuer;
    return {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      token_endpoint: `${issuer}/api/v1/auth/refresh`,
      id_token_signing_alg_values_supported: [...new Set(this.tokens.publishedKeys().map((key) => key.algorithm))],
      subject_types_supported: ['public'],
      response_types_supported: ['code'],
      grant_types_supported: ['refresh_token'],
      claims_supported: ['iss', 'aud', 'sub', 'sid', 'roles', 'amr', 'acr', 'auth_time', 'iat', 'exp'],
    };
  }
}
