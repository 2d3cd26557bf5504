import { ApiProperty } from '@nestjs/swagger';

/** The 202 answer of every "send me a code" request, identical whether or not an account exists. */
export class OtpAcceptedDto {
  @ApiProperty({ example: 'a*****e@example.com', description: 'Where the code went, masked.' })
  destination: string;

  @ApiProperty({ example: '2026-01-01T12:10:00.000Z', description: 'When the code stops working.' })
  expiresAt: string;
}
